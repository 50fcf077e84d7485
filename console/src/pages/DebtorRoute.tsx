import { Link, useParams } from 'react-router';
import { DebtorScreen } from './DebtorScreen';

export function DebtorRoute() {
  const { debtorId = '' } = useParams();
  return (
    <div className="single">
      <p>
        <Link to="/debtors">← All debtors</Link>
      </p>
      <DebtorScreen key={debtorId} debtorId={debtorId} />
    </div>
  );
}

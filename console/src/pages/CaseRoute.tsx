import { Link, useParams } from 'react-router';
import { CaseScreen } from './CaseScreen';

export function CaseRoute() {
  const { caseId = '' } = useParams();
  return (
    <div className="single">
      <p>
        <Link to="/cases">← All cases</Link>
      </p>
      <CaseScreen caseId={caseId} task={null} />
    </div>
  );
}

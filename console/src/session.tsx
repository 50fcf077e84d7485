import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiKey, unwrap } from './api/client';

/** Who is signed in: the pasted key's role, as the API tells it (GET /api/v1/session). */

type Role = 'manager' | 'officer' | 'integration' | 'auditor' | 'admin';

export interface Session {
  role: Role;
  keyId: string;
  team: string | null;
  actor: string;
}

interface SessionState {
  session: Session | null;
  loading: boolean;
  signIn: (key: string) => Promise<Session>;
  signOut: () => void;
}

const SessionContext = createContext<SessionState | null>(null);

async function whoAmI(): Promise<Session> {
  return unwrap(await api.GET('/api/v1/session'));
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [hasKey, setHasKey] = useState(() => apiKey.get() !== null);
  const query = useQuery({ queryKey: ['session'], queryFn: whoAmI, enabled: hasKey, retry: false, staleTime: Infinity });

  const signIn = useCallback(
    async (key: string) => {
      apiKey.set(key.trim());
      try {
        const session = await whoAmI();
        queryClient.setQueryData(['session'], session);
        setHasKey(true);
        return session;
      } catch (error) {
        apiKey.clear();
        throw error;
      }
    },
    [queryClient],
  );
  const signOut = useCallback(() => {
    apiKey.clear();
    queryClient.clear();
    setHasKey(false);
  }, [queryClient]);

  const value = useMemo<SessionState>(
    () => ({ session: hasKey && query.data ? query.data : null, loading: hasKey && query.isPending, signIn, signOut }),
    [hasKey, query.data, query.isPending, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/** The pages each role may open, in the order the navigation shows them. */
export const pagesByRole: Record<Role, readonly PageId[]> = {
  officer: ['queue', 'cases', 'debtors'],
  manager: ['queue', 'cases', 'debtors', 'strategies', 'reports', 'simulations', 'import', 'webhooks'],
  admin: ['queue', 'cases', 'debtors', 'strategies', 'reports', 'simulations', 'import', 'webhooks'],
  auditor: ['cases', 'debtors', 'reports'],
  integration: ['import', 'webhooks'],
};

export type PageId = 'queue' | 'cases' | 'debtors' | 'strategies' | 'reports' | 'simulations' | 'import' | 'webhooks';


import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../../session';

/** The debtor screen's query key: the person, masked or revealed. */
export const personKey = (debtorId: string) => ['person', debtorId] as const;

/** A change to the person that, once the API took it, reloads the screen (every case learns of it through the person). */
export function usePersonChange<TArgs>(debtorId: string, change: (args: TArgs) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: personKey(debtorId) }),
  });
}

/** Officers, managers and admins change what we know of a person; auditors only read. */
export function useEditsPersons(): boolean {
  const role = useSession().session?.role;
  return role === 'officer' || role === 'manager' || role === 'admin';
}

export function useManagesPersons(): boolean {
  const role = useSession().session?.role;
  return role === 'manager' || role === 'admin';
}

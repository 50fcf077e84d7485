import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiProblem, unwrap } from '../api/client';
import { Problem } from '../components/Problem';

/**
 * The strategy editor's "simulate this draft against the active version": the text in the editor
 * (saved or not) and the active version as two arms over the strategy's open cases, on the same
 * simulated debtors and draws, with the newest response model; the result opens on the simulations page.
 */
export function SimulateDraft({ strategyKey, activeVersion, definition }: { strategyKey: string; activeVersion: number; definition: () => Record<string, unknown> | null }) {
  const navigate = useNavigate();
  const simulate = useMutation({
    mutationFn: async () => {
      const draft = definition();
      if (!draft) throw new ApiProblem(400, 'yaml', 'the definition is not valid YAML');
      const models = unwrap(await api.GET('/api/v1/response-models'));
      const model = models.items[0];
      if (!model) throw new ApiProblem(409, 'no_response_model', 'no response model yet: save or fit one first (POST /api/v1/response-models)');
      return unwrap(
        await api.POST('/api/v1/simulations', {
          body: {
            arms: [
              { strategy: strategyKey, version: activeVersion, label: 'active' },
              { definition: draft, label: 'draft' },
            ],
            strategy: strategyKey,
            runs: 50,
            model: { name: model.name },
          } as never,
        }),
      );
    },
    onSuccess: (simulation) => void navigate(`/simulations/${simulation.id}`),
  });
  return (
    <>
      <button type="button" className="secondary" onClick={() => simulate.mutate()} disabled={simulate.isPending}>
        {simulate.isPending ? 'Starting…' : `Simulate this draft against v${activeVersion}`}
      </button>
      <Problem error={simulate.error} title="Not simulated" />
    </>
  );
}

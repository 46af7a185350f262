// ${env.NAME} in a request plan is filled from the plan's env, the scenario's env and -e (issue 11 §3):
// a name none of them sets would make every request fail inside the worker ("undefined variable") and
// the run end with no request sent. Found when the plan loads instead, after -e was merged in.
import { PlanError } from './errors.ts';
import { suggest } from './suggest.ts';
import { TemplateError, templateVariables } from './template.ts';
import type { Plan, Step } from './types.ts';

function templatesOf(steps: readonly Step[]): string[] {
  return steps.flatMap((s) => {
    if (s.kind === 'group') return templatesOf(s.steps);
    if (s.kind !== 'request') return [];
    return [s.url, ...Object.values(s.headers), ...(s.body === null ? [] : [s.body])];
  });
}

function variablesOf(source: string): string[] {
  try {
    return templateVariables(source);
  } catch (e) {
    if (e instanceof TemplateError) return []; // reported with its path when the flow was converted
    throw e;
  }
}

/** Throws a PlanError naming the first ${env.NAME} no env of its scenario sets. */
export function checkEnvPlaceholders(plan: Plan, file?: string): void {
  for (const [name, scenario] of Object.entries(plan.scenarios)) {
    if (scenario.flow === null) continue;
    const env = { ...plan.env, ...scenario.env };
    for (const source of templatesOf(scenario.flow)) {
      for (const variable of variablesOf(source)) {
        const [root, key] = variable.split('.');
        if (root !== 'env' || key === undefined || key in env) continue;
        const guess = suggest(key, Object.keys(env));
        throw new PlanError(
          `\${${variable}} is not set${guess ? ` (did you mean "env.${guess}"?)` : ''}: give it with -e ${key}=… or in the plan's env`,
          { path: `scenarios.${name}.flow`, ...(file === undefined ? {} : { file }) },
        );
      }
    }
  }
}

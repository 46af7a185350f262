// Plan input: everything that turns user input (URL + flags, YAML/JSON file, script module) into
// the typed Plan of types.ts.

export type * from './types.ts';
export type { PlanOptions } from './user-types.ts';
export { loadPlan } from './load.ts';
export { PlanError, formatPath } from './errors.ts';
export { DurationError, parseDuration, formatDuration, parseSize } from './duration.ts';
export { normalisePlan, type NormaliseOptions } from './normalise.ts';
export { validateUserPlan } from './validate.ts';
export { loadPlanFile, parsePlanText } from './load-file.ts';
export { loadPlanScript } from './load-script.ts';
export { planFromUrl, type UrlFlags } from './load-url.ts';
export { optionsFromFlags, applyOverrides, type RunFlags } from './overrides.ts';
export { compileTemplate, parseTemplate, templateVariables, TemplateError, TEMPLATE_BUILTINS } from './template.ts';
export type { CompiledTemplate, TemplateVars } from './template.ts';
export { loadFeeder, createCursor, createFeederPool, partitionRows } from './feeders.ts';
export type { FeederRow, FeederCursor, FeederPool } from './feeders.ts';
export { HTTP_DEFAULTS, SCENARIO_DEFAULTS, defaultArrivalVUs } from './defaults.ts';

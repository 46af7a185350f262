// Checks user input against schema/plan.schema.json with ajv and turns the first error into one
// PlanError line naming the field: `plan.yaml: scenarios.browse.rate: must be a number > 0`.
// allErrors:false: the user fixes one thing at a time, and the first error is the relevant one.

import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import schema from '../../schema/plan.schema.json' with { type: 'json' };
import { DURATION_HINT, SIZE_HINT } from './duration.ts';
import { PlanError, formatPath, type PathSegment } from './errors.ts';
import type { PlanOptions } from './user-types.ts';
import { BUILT } from '../own-files.ts';
import { suggest } from './suggest.ts';

export interface SourceContext {
  /** The file as the user named it, for messages (null: command line). */
  file: string | null;
  /** Prepended to every path in messages, e.g. ["options"] for a script's options. */
  pathPrefix?: PathSegment[];
  /** Maps a path inside the input to a 1-based line/column, when the input came from a file. */
  locate?: (path: readonly PathSegment[]) => { line: number; column: number } | undefined;
}

/** Builds the PlanError for a problem at `path` (relative to the input object). */
export function planError(ctx: SourceContext, path: readonly PathSegment[], problem: string): PlanError {
  const where = ctx.locate?.(path);
  return new PlanError(problem, {
    file: ctx.file,
    path: formatPath([...(ctx.pathPrefix ?? []), ...path]),
    line: where?.line,
    column: where?.column,
  });
}

type SchemaNode = Record<string, any>;
const defs = (schema as SchemaNode).definitions as Record<string, SchemaNode>;

/** verbose: errors carry parentSchema and data, which the messages below need. */
export const AJV_OPTIONS: Options = { allErrors: false, verbose: true, allowUnionTypes: true };
/** The build's precompiled validator (tools/build-plan-validator.ts), beside this file in dist/. */
export const PRECOMPILED_VALIDATOR = 'plan-validator.cjs';

const require = createRequire(import.meta.url);
let validator: ValidateFunction | undefined;
function getValidator(): ValidateFunction {
  // Compiling the schema costs about a quarter of a second of CPU, and importing ajv more: the
  // published build loads the validator ajv generated from it at build time instead (cold start,
  // BENCHMARKS.md). Both are CommonJS, hence require: loaded on first use only.
  if (validator) return validator;
  if (BUILT) validator = require(`./${PRECOMPILED_VALIDATOR}`) as ValidateFunction;
  else validator = new (require('ajv') as { Ajv: new (o: Options) => Ajv }).Ajv(AJV_OPTIONS).compile(schema);
  return validator;
}

/** Throws a PlanError for the first schema violation; on success the input has the user-facing shape. */
export function validateUserPlan(input: unknown, ctx: SourceContext): asserts input is PlanOptions {
  const validate = getValidator();
  if (validate(input)) return;
  const error = validate.errors![0]!;
  const { path, problem } = describeError(error);
  throw planError(ctx, path, problem);
}

// ---- error wording ----------------------------------------------------------------------------

const EXECUTOR_OF = new Map<SchemaNode, string>(
  ['sharedIterations', 'perVuIterations', 'constantVus', 'rampingVus', 'constantArrivalRate', 'rampingArrivalRate'].map((key) => [
    defs[key]!,
    defs[key]!.title as string,
  ]),
);
const ALL_SCENARIO_FIELDS = new Set([...EXECUTOR_OF.keys()].flatMap((def) => Object.keys(def.properties)));

const PATTERN_HINTS = new Map<string, string>([
  [defs.duration!.pattern, `must be ${DURATION_HINT}`],
  [defs.size!.pattern, `must be ${SIZE_HINT}`],
  [defs.exec!.pattern, 'must be the name of an exported function'],
  [(schema as SchemaNode).properties.target.pattern, 'must be an http:// or https:// URL'],
  [defs.request!.properties.method.pattern, 'must be an HTTP method such as GET or POST'],
]);

// Name rules for the keys of maps (propertyNames), found by where the rule sits in the schema.
const NAME_RULES: Array<[string, string]> = [
  ['/thresholds/', 'is not a metric name (e.g. http_req_duration or http_req_duration{name:login})'],
  ['/scenarios/', 'is not a valid scenario name (letters, digits, _ and - only)'],
  ['/data/', 'is not a valid feeder name (letters, digits and _, not starting with a digit)'],
  ['/capture/', 'is not a valid variable name (letters, digits and _, not starting with a digit)'],
  ['/headers/', 'is not a valid HTTP header name'],
];

function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (Array.isArray(value)) text = 'a list';
  else if (value === null) text = 'null';
  else if (typeof value === 'object') text = 'a mapping';
  else text = String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'null',
};

function typeWords(type: string | string[]): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : seg));
}

function describeError(error: ErrorObject): { path: PathSegment[]; problem: string } {
  const path = pointerToPath(error.instancePath);
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = params.additionalProperty as string;
      const allowed = Object.keys(parent.properties ?? {});
      const executor = EXECUTOR_OF.get(parent);
      const guess = suggest(field, allowed);
      let problem: string;
      if (executor !== undefined && ALL_SCENARIO_FIELDS.has(field)) {
        problem = `is not an option of executor ${executor} (its options: ${allowed.join(', ')})`;
      } else if (guess !== undefined) {
        problem = `unknown field, did you mean "${guess}"?`;
      } else {
        problem = `unknown field (allowed: ${allowed.join(', ')})`;
      }
      return { path: [...path, field], problem };
    }
    case 'required': {
      const field = params.missingProperty as string;
      const executor = EXECUTOR_OF.get(parent);
      let problem = executor !== undefined ? `is required for executor ${executor}` : 'is required';
      if (field === 'executor') problem += ` (one of: ${defs.executorName!.enum.join(', ')})`;
      return { path: [...path, field], problem };
    }
    case 'type': {
      const hint = parent === defs.sleep ? `must be ${DURATION_HINT}, or [min, max]` : PATTERN_HINTS.get(parent.pattern);
      const expected = hint ?? `must be ${typeWords(params.type)}`;
      return { path, problem: `${expected} (got ${show(error.data)})` };
    }
    case 'pattern': {
      if (error.propertyName !== undefined) {
        const rule = NAME_RULES.find(([where]) => error.schemaPath.includes(where));
        const problem = `${JSON.stringify(error.propertyName)} ${rule?.[1] ?? 'is not a valid name'}`;
        return { path, problem };
      }
      const hint = PATTERN_HINTS.get(params.pattern) ?? `must match ${params.pattern}`;
      return { path, problem: `${hint} (got ${show(error.data)})` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const what = parent.type === 'integer' ? 'an integer' : 'a number';
      return { path, problem: `must be ${what} ${params.comparison} ${params.limit} (got ${show(error.data)})` };
    }
    case 'enum':
      return { path, problem: `must be one of: ${params.allowedValues.join(', ')} (got ${show(error.data)})` };
    case 'minLength':
      return { path, problem: 'must not be empty' };
    case 'minItems':
    case 'maxItems':
      if (parent === defs.sleep) return { path, problem: 'a random sleep must be [min, max]' };
      return {
        path,
        problem: `must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${params.limit} item${params.limit === 1 ? '' : 's'}`,
      };
    case 'minProperties':
    case 'maxProperties':
      if (parent === defs.step) return { path, problem: 'a step must have exactly one of: request, sleep, group' };
      if (parent === defs.capture) return { path, problem: 'needs one of: json, header, regex' };
      return { path, problem: `must have at least ${params.limit} entr${params.limit === 1 ? 'y' : 'ies'}` };
    default:
      return { path, problem: error.message ?? `failed ${error.keyword}` };
  }
}

// Build step: ajv's standalone code for schema/plan.schema.json, written beside the built
// validate.js (dist/src/plan/plan-validator.cjs), so installed speedguard validates plans without
// importing ajv or compiling the schema at run time. Same options as the run-time compile.
//   node tools/build-plan-validator.ts   (npm run build runs it after tsc)
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import schema from '../schema/plan.schema.json' with { type: 'json' };
import { AJV_OPTIONS, PRECOMPILED_VALIDATOR } from '../src/plan/validate.ts';

const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone').default as (ajv: Ajv, v: unknown) => string;
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const out = new URL(`../dist/src/plan/${PRECOMPILED_VALIDATOR}`, import.meta.url);
writeFileSync(out, standaloneCode(ajv, ajv.compile(schema)));

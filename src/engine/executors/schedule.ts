// The pure scheduling maths of the executors, matching k6: what starts when, how many VUs run when,
// and how a scenario is split over worker threads. No timers, no state beyond the iterators.

export { WHOLE, ScheduleError, splitCount, type Stripe } from './stripe.ts';
export { createArrivalSchedule, arrivalIterationCount, type ArrivalSchedule } from './arrival-schedule.ts';
export {
  rampingVusRawSteps,
  rampingVusGracefulSteps,
  splitRampingVus,
  vuCountAt,
  type VuStep,
  type RampingVusPlan,
} from './vu-schedule.ts';
export {
  scenarioDurationMs,
  scenarioMaxEndMs,
  vuCountForSizing,
  splitCounts,
  workersFor,
  type WorkerCounts,
} from './scenario-bounds.ts';

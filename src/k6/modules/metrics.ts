// The `k6/metrics` module: speedguard's custom metrics have k6's names, types and meaning.
import { Counter, Gauge, Rate, Trend } from '../../engine/script/functions.ts';
import './runtime.ts';

export { Counter, Gauge, Rate, Trend };
export default { Counter, Gauge, Rate, Trend };

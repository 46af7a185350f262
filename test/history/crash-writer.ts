// Child process for the kill -9 test: saves records in a loop and reports on stdout, synchronously,
// "begin <id>" before each save() and "ok <id>" after it returned. Bounded in count and time.
// Usage: node crash-writer.ts <db> <id-prefix> <max-saves> <max-ms>
import { writeSync } from 'node:fs';
import { openHistory } from '../../src/history/store.ts';
import { fakeRun, steady } from '../helpers/fake-records.ts';

const [db, prefix, maxSaves, maxMs] = process.argv.slice(2);
const base = fakeRun({ seconds: steady(3, 20, 15) });
const store = openHistory(db!);
const until = Date.now() + Number(maxMs);
for (let i = 0; i < Number(maxSaves) && Date.now() < until; i++) {
  const id = `${prefix}-${String(i).padStart(5, '0')}`;
  // 0.5–3 MB: big enough that a write takes a while and a kill lands inside one.
  const size = 500_000 + Math.floor(Math.random() * 2_500_000);
  const record = { ...base, id, probes: { pad: 'p'.repeat(size), padLength: size, seq: i } };
  writeSync(1, `begin ${id}\n`);
  store.save(record);
  writeSync(1, `ok ${id}\n`);
}
store.close();

let calls = 0;
export function nextCall() {
  calls += 1;
  return calls;
}

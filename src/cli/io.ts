// Where a command's output goes: stdout and stderr, colour when stdout is a terminal without NO_COLOR.
// Injectable, so tests of `history` and `report` read what a user would see.
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  colour: boolean;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

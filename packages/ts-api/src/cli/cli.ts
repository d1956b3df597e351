// The `softmax-nn` command: dispatches to train / predict, prints help, and turns errors into exit
// codes — 2 with a one-line message for usage errors, 3 for a diverged training run, 1 for anything
// else (the stack only with SOFTMAX_NN_DEBUG=1).

import { readFileSync } from 'node:fs';
import { DivergedError, PREDICT_HELP, TOP_HELP, TRAIN_HELP, UsageError, parsePredictArgs, parseTrainArgs } from './args.js';

export interface CliStreams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

const HELP: Record<string, string> = { train: TRAIN_HELP, predict: PREDICT_HELP };

function version(): string {
  try {
    // ../../package.json from both src/cli and dist/cli.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], streams: CliStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
        streams.stdout.write(TOP_HELP);
        return 0;
      case 'help': {
        const topic = rest[0];
        if (topic !== undefined && !(topic in HELP)) throw new UsageError(`no help for '${topic}': the commands are train and predict`);
        streams.stdout.write(topic === undefined ? TOP_HELP : HELP[topic]);
        return 0;
      }
      case '-v':
      case '--version':
        streams.stdout.write(`softmax-nn ${version()}\n`);
        return 0;
      case 'train': {
        const options = parseTrainArgs(rest);
        if (options === null) {
          streams.stdout.write(TRAIN_HELP);
          return 0;
        }
        const { runTrain } = await import('./train-command.js');
        await runTrain(options, { stdout: streams.stdout, stderr: streams.stderr });
        return 0;
      }
      case 'predict': {
        const options = parsePredictArgs(rest);
        if (options === null) {
          streams.stdout.write(PREDICT_HELP);
          return 0;
        }
        const { runPredict } = await import('./predict-command.js');
        await runPredict(options, { stdout: streams.stdout });
        return 0;
      }
      default:
        throw new UsageError(
          command.startsWith('-') ? `unknown option '${command}' (give a command first: train or predict)` : `unknown command '${command}': the commands are train and predict`,
        );
    }
  } catch (e) {
    if (e instanceof UsageError) {
      const helpHint = e.command !== null ? `softmax-nn ${e.command} --help` : 'softmax-nn --help';
      streams.stderr.write(`softmax-nn: error: ${e.message}\n(see '${helpHint}')\n`);
      return 2;
    }
    if (e instanceof DivergedError) {
      streams.stderr.write(`softmax-nn: ${e.message}\n`);
      return 3;
    }
    const message = e instanceof Error ? e.message : String(e);
    streams.stderr.write(`softmax-nn: ${message}\n`);
    if (process.env.SOFTMAX_NN_DEBUG && e instanceof Error && e.stack) streams.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

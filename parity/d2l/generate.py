"""Writes the output of every d2l chapter mirror in this folder to expected/<mirror>.txt — what the
TypeScript ports in packages/ts-api/examples/d2l/ must print (test/examples/d2l-*.test.ts). A mirror that
shares its random draws with its port (shared.py) records them in expected/<mirror>.start.safetensors,
which the port replays (D2L_REPLAY) to print the same numbers."""
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
# Mirrors whose draws (whole networks) are too big to commit: their tests record and replay them live.
DRAWS_NOT_COMMITTED = {'ch4_2_mlp_scratch', 'ch4_6_dropout'}


def main():
    out = HERE / 'expected'
    out.mkdir(exist_ok=True)
    for mirror in sorted(HERE.glob('ch*.py')):
        env = dict(os.environ)
        if mirror.stem not in DRAWS_NOT_COMMITTED:
            env['D2L_RECORD'] = str(out / f'{mirror.stem}.start.safetensors')
        printed = subprocess.run([sys.executable, mirror.name], cwd=HERE, env=env, check=True, capture_output=True, text=True).stdout
        (out / f'{mirror.stem}.txt').write_text(printed)
        print(f'{mirror.stem}: {len(printed.splitlines())} lines')


if __name__ == '__main__':
    main()

"""Writes the output of every d2l chapter mirror in this folder to expected/<mirror>.txt — what the
TypeScript ports in packages/ts-api/examples/d2l/ must print (test/examples/d2l-preliminaries.test.ts)."""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main():
    out = HERE / 'expected'
    out.mkdir(exist_ok=True)
    for mirror in sorted(HERE.glob('ch*.py')):
        printed = subprocess.run([sys.executable, mirror.name], cwd=HERE, check=True, capture_output=True, text=True).stdout
        (out / f'{mirror.stem}.txt').write_text(printed)
        print(f'{mirror.stem}: {len(printed.splitlines())} lines')


if __name__ == '__main__':
    main()

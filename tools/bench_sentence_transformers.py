#!/usr/bin/env python3
"""Peer side of `I3Bench encode`: sentence-transformers on the same passages, driven over stdin.

Protocol (one command per line on stdin, one answer per line on stdout):
  startup            -> "ready"
  encode             -> "elapsed <seconds> <cpu seconds>"   (all passages; CPU = user+sys of all threads)
  save <path>        -> "saved"                  (writes the last embeddings as little-endian float32)
  latency <n>        -> "latency <p50_ms> <p99_ms>"   (first n passages, one call each)
  quit
Run it from the venv made by tools/setup_reference_venv.sh; I3Bench starts it itself.
"""
import argparse, json, resource, sys, time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--passages", required=True, help="JSON list of strings")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    import numpy as np
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(a.model, device="cpu")
    with open(a.passages, encoding="utf-8") as fh:
        passages = json.load(fh)
    last = None
    print("ready", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "encode":
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t = time.perf_counter()
            with torch.inference_mode():
                last = model.encode(passages, batch_size=a.batch_size, convert_to_numpy=True)
            wall = time.perf_counter() - t
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            print(f"elapsed {wall:.6f} {cpu:.6f}", flush=True)
        elif cmd[0] == "save":
            np.asarray(last, dtype="<f4").tofile(cmd[1])
            print("saved", flush=True)
        elif cmd[0] == "latency":
            n = int(cmd[1]); times = []
            with torch.inference_mode():
                for p in passages[:n]:
                    t = time.perf_counter(); model.encode([p], batch_size=1, convert_to_numpy=True)
                    times.append((time.perf_counter() - t) * 1000)
            times.sort()
            print(f"latency {times[len(times) // 2]:.3f} {times[min(len(times) - 1, int(len(times) * 0.99))]:.3f}", flush=True)
        elif cmd[0] == "quit":
            break


if __name__ == "__main__":
    main()

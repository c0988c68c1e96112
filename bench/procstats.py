"""Process measurements from Linux /proc, shared by the benches and the concurrency test."""
from __future__ import annotations

import os


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every live process."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(d))
            except (OSError, ValueError, IndexError):
                continue
    return children


def descendants(root: int, include_root: bool = True, exclude: int | None = None) -> list[int]:
    """``root`` (optionally) and all its live descendants, skipping the subtree of ``exclude``."""
    children = _children()
    out, todo = [], [root] if include_root else list(children.get(root, []))
    while todo:
        p = todo.pop()
        if p == exclude:
            continue
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def tree_rss_mib(pid: int) -> float:
    """VmRSS of a process and its descendants, in MiB."""
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of one process (all its threads), in seconds; 0 for ``None``."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int, exclude: int | None = None) -> float:
    """CPU time of the live descendants of ``root`` (not ``root`` itself), skipping ``exclude``'s subtree."""
    total = 0.0
    for p in descendants(root, include_root=False, exclude=exclude):
        try:
            total += cpu_seconds(p)
        except OSError:
            continue
    return total

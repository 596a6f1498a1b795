// Repeats an async refresh every `ms` (the next run is scheduled when one ends, so slow answers
// never pile up), skips runs while the tab is hidden, and stops when disposed.
export function repeat(run: () => Promise<void>, ms: number): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await run();
      } catch {
        // The page shows its own errors; the loop goes on.
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), ms);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

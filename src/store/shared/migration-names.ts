// The names of the migrations a run applied (`herald migrate` prints them).
export function migrationNames(files: { version: number; name: string }[], applied: number[]): string[] {
  const names = new Map(files.map((f) => [f.version, f.name.replace(/\.sql$/, '')]));
  return applied.map((v) => names.get(v) ?? String(v));
}

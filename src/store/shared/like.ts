// Text matched literally inside a LIKE pattern (both stores use backslash as the escape character).
export const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

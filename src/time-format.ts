// Durations and reset times in words, shared by the CLI and the local server's error
// messages (so server/ need not import cli/).

/** "2 h 14 min", "45 s", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(totalSeconds / 86400);
  const hours = Math.floor((totalSeconds % 86400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d${hours ? ` ${hours} h` : ""}`;
  if (hours > 0) return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
  if (minutes > 0) return `${minutes} min`;
  return `${seconds} s`;
}

/** "resets in 2 h 14 min, at 16:40" in the user's local time (date added when not today). */
export function formatReset(resetsAt: number, now = Date.now()): string {
  const at = new Date(resetsAt);
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const when = sameDay ? time : `${at.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}`;
  return `resets in ${formatDuration(resetsAt - now)}, at ${when}`;
}

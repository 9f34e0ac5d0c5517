/** Reading a Monitor in tests. */
import type { Monitor, MonitorEvent } from 'netns-native';

/** Iterates a monitor in the background, keeping every event (the array fills as they come). */
export function collect(m: Monitor): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  void (async () => {
    for await (const e of m) events.push(e);
  })().catch(() => undefined);
  return events;
}

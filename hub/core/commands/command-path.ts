// Builds the command service and the device twin together: commands record desired state through
// the twin, and the twin sends drifted hub-wins settings again through the commands.
import type { HubContext, HubMessaging } from '../context.js';
import type { InternalRegistry } from '../registry/device-registry.js';
import { createTwin, type Twin } from '../shadow/twin.js';
import { type CommandUnit, createCommandService } from './command-service.js';

export function createCommandPath(
  ctx: HubContext,
  messaging: HubMessaging,
  registry: InternalRegistry,
): { commands: CommandUnit; twin: Twin } {
  let commandsRef: CommandUnit | undefined;
  const twin = createTwin({
    ctx,
    registry,
    commands: () => {
      if (!commandsRef) throw new Error('the command service is not built');
      return commandsRef;
    },
  });
  const commands = createCommandService(ctx, messaging, registry, twin);
  commandsRef = commands;
  return { commands, twin };
}

// A Matter controller for end-to-end tests: matter.js's own controller (a ServerNode with peers),
// run as its own process in a test namespace. Reads one JSON request a line on stdin and answers
// one JSON line on stdout: commission, list, read, on/off, level. Not part of the hub.
import { createInterface } from 'node:readline';
import { config } from '@matter/nodejs/config';

config.loadProcessArgv = false;
config.loadConfigFile = false;
config.trapProcessSignals = false;

const { Environment, Logger, ServerNode } = await import('@matter/main');
const { OnOffClient } = await import('@matter/main/behaviors/on-off');
const { LevelControlClient } = await import('@matter/main/behaviors/level-control');
const { BridgedDeviceBasicInformationClient } = await import(
  '@matter/main/behaviors/bridged-device-basic-information'
);
const { DescriptorClient } = await import('@matter/main/behaviors/descriptor');
const { ChannelClient } = await import('@matter/main/behaviors/channel');

const storage = process.argv[2];
if (!storage) throw new Error('usage: matter-controller STORAGE_DIR');
Environment.default.vars.set('storage.path', storage);
Logger.level = 'error';

const controller = await ServerNode.create({ id: 'controller', commissioning: { enabled: false } });
await controller.start();

type Request = { id: number; op: string; code?: string; endpoint?: number; level?: number; channel?: number };

const peer = () => {
  const node = controller.peers.get('bridge');
  if (!node) throw new Error('not commissioned');
  return node;
};

/** Every bridged endpoint: those with Bridged Device Basic Information. */
function bridged() {
  const out: Array<{ endpoint: number; name: string; reachable: boolean; deviceTypes: number[] }> = [];
  for (const ep of peer().endpoints) {
    const info = ep.maybeStateOf(BridgedDeviceBasicInformationClient);
    if (!info || typeof ep.number !== 'number') continue;
    const descriptor = ep.maybeStateOf(DescriptorClient);
    out.push({
      endpoint: ep.number,
      name: String(info.nodeLabel ?? ''),
      reachable: info.reachable === true,
      deviceTypes: (descriptor?.deviceTypeList ?? []).map((d) => Number(d.deviceType)),
    });
  }
  return out;
}

function read(endpoint: number) {
  const ep = peer().endpoints.for(endpoint);
  const info = ep.maybeStateOf(BridgedDeviceBasicInformationClient);
  return {
    onOff: ep.maybeStateOf(OnOffClient)?.onOff ?? null,
    level: ep.maybeStateOf(LevelControlClient)?.currentLevel ?? null,
    reachable: info?.reachable ?? null,
    name: info?.nodeLabel ?? null,
  };
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'commission': {
      await controller.peers.commission({ id: 'bridge', pairingCode: String(req.code) });
      return { commissioned: true };
    }
    case 'list':
      return bridged();
    case 'read':
      return read(Number(req.endpoint));
    case 'on':
    case 'off':
      await peer().endpoints.for(Number(req.endpoint)).commandsOf(OnOffClient)[req.op]();
      return {};
    case 'level':
      await peer()
        .endpoints.for(Number(req.endpoint))
        .commandsOf(LevelControlClient)
        .moveToLevel({ level: Number(req.level), transitionTime: 0, optionsMask: {}, optionsOverride: {} });
      return {};
    case 'channel':
      await peer()
        .endpoints.for(Number(req.endpoint))
        .commandsOf(ChannelClient)
        .changeChannelByNumber({ majorNumber: Number(req.channel), minorNumber: 0 });
      return {};
    case 'stop':
      await controller.close();
      process.exit(0);
      return {};
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const write = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
write({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
  } catch {
    continue;
  }
  handle(req).then(
    (result) => write({ id: req.id, ok: true, result }),
    (err: unknown) => write({ id: req.id, ok: false, error: String((err as Error)?.stack ?? err) }),
  );
}

// The label of a factory device, as a sticker on its box would carry it: the claim id, the setup
// code grouped for reading aloud, and a QR code of both for a phone camera. Printed by
// `hearth flash --factory` and again by `hearth device inspect --label`.
import { formatSetupCode } from '../../shared/adoption-crypto.js';

/** What the QR code holds: the claim and the code, which the app reads as it reads a typed code. */
export const labelQrText = (claimId: string, setupCode: string): string =>
  `hearth:adopt?claim=${claimId}&code=${setupCode}`;

export async function renderLabel(input: {
  model: string;
  claimId: string;
  setupCode: string;
}): Promise<string> {
  const { default: qrcode } = await import('qrcode-terminal');
  const qr = await new Promise<string>((resolve) =>
    qrcode.generate(labelQrText(input.claimId, input.setupCode), { small: true }, resolve),
  );
  return [
    `  ┌ Hearth ${input.model}`,
    `  │ claim       ${input.claimId}`,
    `  │ setup code  ${formatSetupCode(input.setupCode)}`,
    '  └ keep this label: adopting the device needs the setup code',
    '',
    qr,
    '',
  ].join('\n');
}

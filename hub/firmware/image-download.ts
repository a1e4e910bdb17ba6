// The download a device fetches an offered image from: its own credentials (HTTP Basic), and Range
// requests answered with 206 so a dropped download resumes. Apart from the admin routes because it
// is public to the API's token check and authenticates devices itself.
import { Hono } from 'hono';
import { HearthError } from '../../shared/errors.js';
import { requestHeader } from '../api/node-request.js';
import type { ApiEnv } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareService } from './firmware-service.js';
import type { ImageFiles } from './image-files.js';

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` → [start, end] inclusive; null to send everything. */
export function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or junk: the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

export function createImageDownloadApp(
  ctx: CoreContext,
  service: FirmwareService,
  files: ImageFiles,
): Hono<ApiEnv> {
  const downloaded = ctx.metrics.counter(
    'hearth_firmware_download_bytes_total',
    'Firmware image bytes sent to devices',
  );
  const ranged = ctx.metrics.counter(
    'hearth_firmware_range_requests_total',
    'Firmware downloads that resumed with a Range request',
  );
  const download = new Hono<ApiEnv>();
  download.get('/:id/download', (c) => {
    const basic = /^Basic\s+(\S+)$/i.exec(requestHeader(c, 'authorization') ?? '')?.[1];
    const [deviceId, secret] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':', 2);
    if (!deviceId || !secret || !ctx.registry.verifySecret(deviceId, secret))
      throw new HearthError(
        'unauthorized',
        'a device downloads firmware with its own id and secret (HTTP Basic)',
      );
    const image = service.image(c.req.param('id'));
    if (!image) throw new HearthError('not_found', 'no such firmware image');
    const bytes = files.read(image.id);
    const range = parseRange(requestHeader(c, 'range'), bytes.length);
    const common = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"${image.id}"`,
    };
    if (range === 'unsatisfiable')
      return c.json(
        { ok: false, error: { code: 'out_of_range', message: `the image has ${bytes.length} bytes` } },
        416,
        { 'content-range': `bytes */${bytes.length}` },
      );
    if (range === null) {
      downloaded.inc({}, bytes.length);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        ...common,
        'content-length': String(bytes.length),
      });
    }
    const [start, end] = range;
    ranged.inc();
    downloaded.inc({}, end - start + 1);
    // A view of the cached file, not a copy: a wave of downloads shares one buffer.
    return c.body(bytes.subarray(start, end + 1) as Uint8Array<ArrayBuffer>, 206, {
      ...common,
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${bytes.length}`,
    });
  });

  return download;
}

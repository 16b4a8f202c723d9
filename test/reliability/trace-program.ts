// Arbitrary runnable traces for the replay properties: unlike trace-text.ts
// (text that need not even parse), these are programs the checker accepts
// almost always, so they run and exercise the engine. A machine declaration
// (one of the three IOMMU models, two or three devices, one region of RAM),
// then statements drawn from the ioctls a VMM issues (alloc, bind, attach,
// detach, map, unmap, destroy, unbind), CPU stores, DMA, `expect`s and `let`s,
// with `repeat` loops around some of them. Ids are raw numbers, so any
// statement may name any object, live, freed or of the wrong type, and many
// calls fail; an expectation is absent, `ok`, an errno or a literal, right or
// wrong, so runs have mismatches.
import fc from 'fast-check';

/** The IOVA window the statements use: inside every model's aperture, outside their reserved ranges. */
const IOVA_BASE = 0x1000000;
const PAGE = 0x1000;
const RAM_PAGES = 16;

// Mostly the ids the usual setup hands out (1 to 4), sometimes one that is free, 0, or of the wrong type.
const id = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) });
const device = fc.constantFrom('d0', 'd1', 'd2');
const page = fc.integer({ min: 0, max: RAM_PAGES + 1 });
const pages = fc.integer({ min: 1, max: 4 });
const iova = page.map((p) => `0x${(IOVA_BASE + p * PAGE).toString(16)}`);
const expectation = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant(' => ok') },
  { weight: 2, arbitrary: fc.constantFrom(' => EBUSY', ' => ENOENT', ' => EINVAL', ' => EEXIST', ' => ENODEV') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).map((n) => ` => ${n}`) },
);

/** One ioctl, with or without an expectation. */
const ioctl: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.constant('ioas_alloc'),
      device.map((d) => `bind ${d}`),
      fc.tuple(id, id).map(([d, pt]) => `attach ${d} ${pt}`),
      id.map((d) => `detach ${d}`),
      id.map((d) => `unbind ${d}`),
      id.map((x) => `destroy ${x}`),
      fc.tuple(id, page, pages, iova).map(([a, p, n, v]) => `ioas_map ${a} ram + ${p * PAGE} ${n * PAGE} iova=${v}`),
      fc.tuple(id, page, pages).map(([a, p, n]) => `ioas_map ${a} ram + ${p * PAGE} ${n * PAGE}`),
      fc.tuple(id, iova, pages).map(([a, v, n]) => `ioas_unmap ${a} ${v} ${n * PAGE}`),
      fc.tuple(id, id).map(([d, pt]) => `hwpt_alloc ${d} ${pt}`),
    ),
    expectation,
  )
  .map(([call, exp]) => call + exp);

const value = fc.integer({ min: 0, max: 0xffffffff }).map((v) => `0x${v.toString(16)}`);

const dma = fc.oneof(
  fc.tuple(device, iova, value).map(([d, v, x]) => `dma ${d} write ${v} u32 ${x}`),
  fc.tuple(device, iova, fc.constantFrom('', ' => fault translation', ' => 0')).map(([d, v, e]) => `dma ${d} read ${v} u32${e}`),
);

const cpu = fc.oneof(
  fc.tuple(fc.nat({ max: RAM_PAGES * PAGE - 8 }), value).map(([o, x]) => `write (ram + ${o & ~3}) u32 ${x}`),
  fc.tuple(id, fc.nat({ max: 4 })).map(([x, n]) => `expect users(${x}) == ${n}`),
  id.map((x) => `expect exists(${x})`),
  fc.tuple(device, iova).map(([d, v]) => `let t = translate(${d}, ${v})`),
);

const simple = fc.oneof({ weight: 5, arbitrary: ioctl }, { weight: 2, arbitrary: dma }, { weight: 2, arbitrary: cpu });

/** A loop over a few simple statements; the loop variable shifts the ids and IOVAs some of them use. */
const loop = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.array(simple, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([n, body, named]) => [named ? `repeat i in 0..${n} {` : `repeat ${n} {`, ...body.map((s) => `  ${s}`), '}'].join('\n'));

const header = fc
  .tuple(fc.constantFrom('mock', 'mock', 'smmuv3', 'vtd'), fc.boolean())
  .map(([model, shared]) =>
    [`iommu iommu0 model=${model}`, `device d0${shared ? ' group=1' : ''}`, `device d1${shared ? ' group=1' : ''}`, 'device d2', `memory ram ${RAM_PAGES * 4}K`].join('\n'),
  );

/** A VMM's usual start (IOAS 1, device 2 bound and attached through HWPT 3, RAM mapped), so later calls find live objects. */
const SETUP = ['ioas_alloc', 'bind d0', 'attach 2 1', `ioas_map 1 ram ${RAM_PAGES * 4}K iova=0x${IOVA_BASE.toString(16)}`];

/** A whole trace: the machine, most often the usual setup, then 1 to 30 statements or loops. */
export const traceProgram: fc.Arbitrary<string> = fc
  .tuple(header, fc.nat({ max: 9 }), fc.array(fc.oneof({ weight: 6, arbitrary: simple }, { weight: 1, arbitrary: loop }), { minLength: 1, maxLength: 30 }))
  .map(([h, setup, body]) => [h, ...SETUP.slice(0, Math.min(SETUP.length, setup)), ...body, ''].join('\n'));

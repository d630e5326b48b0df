// Every training choice → the config overrides it means, written by hand, through the shared mapping and through
// the CLI's flag parser; the Training view's side is test/renderer/train-choices.test.ts. Inverting a choice
// (background on → false, fake noise on → 'none') anywhere fails a row here.
import { describe, expect, it } from 'vitest';
import { parseArgs } from 'node:util';
import { trainOverrides, type TrainChoices } from '../../../src-main/contract/train-overrides';
import { TrainConfigOverridesSchema } from '../../../src-main/contract/train-config';
import { trainChoicesFromArgs } from '../../../src-main/cli/train-choices';
import { trainCommand } from '../../../src-main/cli/commands/train';
import type { ParsedArgs } from '../../../src-main/cli/command';
import { resolveTrainConfig } from '../../../src-main/core/train/config';
import { ContractValidationError, parseRequest } from '../../../src-main/contract/validate';

type Row = [what: string, argv: string[], choices: TrainChoices, overrides: object];
const optics = { na: 1.2, wavelength: 0.52, ni: 1.518, ns: 1.33 };
const CHOICE_TABLE: Row[] = [
  ['nothing', [], {}, {}],
  ['seed', ['--seed', '7'], { seed: 7 }, { seed: 7 }],
  ['steps', ['--steps', '40'], { steps: 40 }, { maxSteps: 40 }],
  ['gba psf', ['--gba', 'psf'], { gba: 'psf' }, { gba: 'psf' }],
  ['gba cnn', ['--gba', 'cnn'], { gba: 'cnn' }, { gba: 'cnn' }],
  ['mode cycle', ['--mode', 'cycle'], { mode: 'cycle' }, { mode: 'cycle' }],
  ['mode supervised', ['--mode', 'supervised'], { mode: 'supervised' }, { mode: 'supervised' }],
  ['sharp source data', ['--sharp-source', 'data'], { sharpSource: 'data' }, { sharpSource: 'data' }],
  ['sharp source rl', ['--sharp-source', 'rl'], { sharpSource: 'rl' }, { sharpSource: 'rl' }],
  ['rl iterations', ['--rl-iters', '35'], { rlIterations: 35 }, { rlIterations: 35 }],
  ['background on', ['--background', 'on'], { background: 'on' }, { background: true }],
  ['background off', ['--background', 'off'], { background: 'off' }, { background: false }],
  ['fake noise estimated', ['--fake-noise', 'estimated'], { fakeNoise: 'estimated' }, { fakeNoise: 'estimated' }],
  ['fake noise none', ['--fake-noise', 'none'], { fakeNoise: 'none' }, { fakeNoise: 'none' }],
  ['psf init delta', ['--psf-init', 'delta'], { psfInit: 'delta' }, { psf: { init: 'delta' } }],
  ['psf init gaussian', ['--psf-init', 'gaussian'], { psfInit: 'gaussian' }, { psf: { init: 'gaussian' } }],
  ['psf init bornwolf', ['--psf-init', 'bornwolf'], { psfInit: 'bornwolf' }, { psf: { init: 'bornwolf' } }],
  ['psf init spectral', ['--psf-init', 'spectral'], { psfInit: 'spectral' }, { psf: { init: 'spectral' } }],
  ['psf model free', ['--psf-model', 'free'], { psfModel: 'free' }, { psf: { model: 'free' } }],
  ['psf model gaussian', ['--psf-model', 'gaussian'], { psfModel: 'gaussian' }, { psf: { model: 'gaussian' } }],
  ['lambda spectral', ['--lambda-spectral', '50'], { lambdaSpectral: 50 }, { loss: { lambdaSpectral: 50 } }],
  [
    'lambda spectral 0 (off, still a choice)',
    ['--lambda-spectral', '0'],
    { lambdaSpectral: 0 },
    { loss: { lambdaSpectral: 0 } },
  ],
  ['optics, ni and ns defaulted', ['--na', '1.2', '--wavelength', '0.52'], { optics }, { optics }],
  [
    'optics, all four',
    ['--na', '1.1', '--wavelength', '0.6', '--ni', '1.33', '--ns', '1.36'],
    { optics: { na: 1.1, wavelength: 0.6, ni: 1.33, ns: 1.36 } },
    { optics: { na: 1.1, wavelength: 0.6, ni: 1.33, ns: 1.36 } },
  ],
  [
    'several at once, nested objects merged per object',
    [
      '--psf-init',
      'gaussian',
      '--psf-model',
      'gaussian',
      '--lambda-spectral',
      '10',
      '--background',
      'on',
      '--fake-noise',
      'none',
    ],
    { psfInit: 'gaussian', psfModel: 'gaussian', lambdaSpectral: 10, background: 'on', fakeNoise: 'none' },
    { psf: { init: 'gaussian', model: 'gaussian' }, loss: { lambdaSpectral: 10 }, background: true, fakeNoise: 'none' },
  ],
];
// The Training view's fields the CLI has no flag for.
const VIEW_ONLY: [string, TrainChoices, object][] = [
  ['patch size', { patchSize: 48 }, { patchSize: 48 }],
  ['learning rate', { lr: 0.001 }, { optimiser: { lr: 0.001 } }],
  ['epochs', { epochs: 12 }, { optimiser: { epochs: 12 } }],
  ['learning rate and epochs', { lr: 0.002, epochs: 3 }, { optimiser: { lr: 0.002, epochs: 3 } }],
  ['psf size', { psfSize: 9 }, { psf: { size: 9 } }],
  ['lambda cycle', { lambdaCycle: 5 }, { loss: { lambdaCycle: 5 } }],
];

const cliArgs = (argv: string[]): ParsedArgs =>
  parseArgs({ args: argv, options: trainCommand.options, allowPositionals: true, strict: true }) as ParsedArgs;

describe('trainOverrides: one mapping of training choices', () => {
  it.each(CHOICE_TABLE)('%s', (_what, argv, choices, expected) => {
    expect(trainOverrides(choices)).toEqual(expected);
    // The CLI's flags give exactly these choices, hence these overrides.
    const fromCli = trainChoicesFromArgs(cliArgs(argv));
    expect(Object.fromEntries(Object.entries(fromCli).filter(([, v]) => v !== undefined))).toEqual(choices);
    expect(trainOverrides(fromCli)).toEqual(expected);
    // Every override is one the job contract accepts.
    expect(TrainConfigOverridesSchema.parse(expected)).toEqual(expected);
  });

  it.each(VIEW_ONLY)('%s', (_what, choices, expected) => {
    expect(trainOverrides(choices)).toEqual(expected);
  });

  it('covers every choice the interface declares', () => {
    const seen = new Set(
      [...CHOICE_TABLE, ...VIEW_ONLY.map(([w, c, o]) => [w, [], c, o] as Row)].flatMap(([, , c]) => Object.keys(c)),
    );
    const declared: (keyof TrainChoices)[] = [
      'seed',
      'steps',
      'patchSize',
      'lr',
      'epochs',
      'psfSize',
      'lambdaCycle',
      'lambdaSpectral',
      'mode',
      'gba',
      'sharpSource',
      'rlIterations',
      'background',
      'fakeNoise',
      'psfInit',
      'psfModel',
      'optics',
    ];
    expect([...seen].sort()).toEqual([...declared].sort());
  });

  it("the CLI keeps a resumed run's immersion and sample indices when only NA and wavelength are given", () => {
    expect(
      trainChoicesFromArgs(cliArgs(['--na', '1', '--wavelength', '0.5']), {
        na: 1.3,
        wavelength: 0.6,
        ni: 1.33,
        ns: 1.4,
      }).optics,
    ).toEqual({ na: 1, wavelength: 0.5, ni: 1.33, ns: 1.4 });
    expect(() => trainChoicesFromArgs(cliArgs(['--na', '1']))).toThrow(/--wavelength.*is required/);
  });

  it('a preset with the overrides of background and fake noise has them, and not the inverse', () => {
    expect(resolveTrainConfig('tiny', trainOverrides({ background: 'on', fakeNoise: 'estimated' }))).toMatchObject({
      background: true,
      fakeNoise: 'estimated',
    });
    expect(resolveTrainConfig('fast', trainOverrides({ background: 'off', fakeNoise: 'none' }))).toMatchObject({
      background: false,
      fakeNoise: 'none',
    });
  });
});

describe('TrainConfigOverridesSchema: typed job overrides', () => {
  it.each([
    ['an unknown top-level key', { patchsize: 32 }, 'patchsize'],
    ['an unknown nested key', { psf: { sigma: 2 } }, 'sigma'],
    ['a wrong type', { background: 'on' }, 'background'],
    ['a value out of range', { optimiser: { lr: 5 } }, 'optimiser.lr'],
    ['a bad enum value', { fakeNoise: 'on' }, 'fakeNoise'],
  ])('refuses %s, naming it', (_what, raw, name) => {
    const r = TrainConfigOverridesSchema.safeParse(raw);
    expect(r.success).toBe(false);
    const said = r
      .error!.issues.map((i) => [...i.path, ...('keys' in i ? (i.keys as string[]) : [])].join('.'))
      .join(' ');
    expect(said).toContain(name);
  });
});

describe('jobs.submit with a train config', () => {
  it('is refused before queueing, naming the bad override', () => {
    const submit = (config: object) => () =>
      parseRequest('jobs.submit', { spec: { kind: 'train', blurredIds: ['ds_abcd1234'], config } });
    expect(submit({ psf: { sigma: 1 } })).toThrow(/spec\.config\.psf: Unrecognized key: "sigma"/);
    expect(submit({ optimiser: { lr: 7 } })).toThrow(/spec\.config\.optimiser\.lr/);
    expect(submit({ background: 'on' })).toThrow(ContractValidationError);
    expect(
      parseRequest('jobs.submit', {
        spec: { kind: 'train', blurredIds: ['ds_abcd1234'], config: { background: true, psf: { init: 'gaussian' } } },
      }).spec,
    ).toMatchObject({ config: { background: true, psf: { init: 'gaussian' } } });
  });
});

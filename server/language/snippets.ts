// Snippets for the sequences most traces start with (LSP snippet syntax).
export interface Snippet {
  label: string;
  detail: string;
  body: string;
}

export const SNIPPETS: Snippet[] = [
  {
    label: 'passthrough',
    detail: 'bind a device, attach it to a new IOAS and map memory into it',
    body: [
      'ioas = ioas_alloc',
      '${1:dev} = bind ${2:nic0}',
      'hwpt = attach ${1:dev} ioas',
      'ioas_map ioas ${3:ram} ${4:64K} iova=${5:0x1000000}',
      '$0',
    ].join('\n'),
  },
  {
    label: 'machine',
    detail: 'declare an IOMMU, a device and memory',
    body: ['iommu ${1:iommu0} model=${2|mock,smmuv3,vtd|}', 'device ${3:nic0}', 'memory ${4:ram} ${5:1M}', '$0'].join('\n'),
  },
  {
    label: 'teardown',
    detail: 'detach, unbind and destroy in the order iommufd accepts',
    body: ['detach ${1:dev}', 'unbind ${1:dev}', 'destroy ${2:ioas}', '$0'].join('\n'),
  },
  {
    label: 'repeat-in',
    detail: 'repeat NAME in A..B { }',
    body: ['repeat ${1:i} in ${2:0}..${3:3} {', '  $0', '}'].join('\n'),
  },
  {
    label: 'proc',
    detail: 'proc NAME(PARAMS) { }',
    body: ['proc ${1:name}(${2:dev}) {', '  $0', '}'].join('\n'),
  },
];

/**
 * Where a debtor may be, as IANA zones, from what the case knows: the declared zone, the phone's
 * area code and the address's state. Reg F asks contact to be convenient in every place the
 * collector's information points to (12 CFR 1006.6(b)(1)(i) and its commentary), so the rules
 * take the union; with nothing known, every zone of the contiguous US.
 *
 * Data: state → zones follows the official time-zone boundaries plus well-known local practice
 * (Phenix City AL keeps Eastern time, West Wendover NV Mountain, the Navajo Nation in AZ keeps
 * DST). Area codes are the NANPA assignments in service as of 2025; recent overlays may be
 * missing (an unknown area code adds nothing). An area code in a state split by a zone line maps
 * to that state's zones unless it is known to lie in one zone only. To be reviewed with NANPA.
 */

const eastern = 'America/New_York';
const central = 'America/Chicago';
const mountain = 'America/Denver';
const arizona = 'America/Phoenix';
const pacific = 'America/Los_Angeles';

/** The contiguous US: the zones to assume when nothing says where the debtor is. */
export const usMainlandZones: readonly string[] = [eastern, central, mountain, arizona, pacific];

/** US states, DC and territories → every zone in use there. */
export const stateZones: Readonly<Record<string, readonly string[]>> = {
  AL: [central, eastern], // Phenix City area keeps Eastern time
  AK: ['America/Anchorage', 'America/Adak'],
  AZ: [arizona, mountain], // the Navajo Nation keeps DST
  AR: [central],
  CA: [pacific],
  CO: [mountain],
  CT: [eastern],
  DE: [eastern],
  DC: [eastern],
  FL: [eastern, central],
  GA: [eastern],
  HI: ['Pacific/Honolulu'],
  ID: ['America/Boise', pacific],
  IL: [central],
  IN: ['America/Indiana/Indianapolis', central],
  IA: [central],
  KS: [central, mountain],
  KY: [eastern, central],
  LA: [central],
  ME: [eastern],
  MD: [eastern],
  MA: [eastern],
  MI: ['America/Detroit', 'America/Menominee'],
  MN: [central],
  MS: [central],
  MO: [central],
  MT: [mountain],
  NE: [central, mountain],
  NV: [pacific, mountain], // West Wendover keeps Mountain time
  NH: [eastern],
  NJ: [eastern],
  NM: [mountain],
  NY: [eastern],
  NC: [eastern],
  ND: [central, mountain],
  OH: [eastern],
  OK: [central],
  OR: [pacific, 'America/Boise'],
  PA: [eastern],
  RI: [eastern],
  SC: [eastern],
  SD: [central, mountain],
  TN: [central, eastern],
  TX: [central, mountain],
  UT: [mountain],
  VT: [eastern],
  VA: [eastern],
  WA: [pacific],
  WV: [eastern],
  WI: [central],
  WY: [mountain],
  PR: ['America/Puerto_Rico'],
  VI: ['America/St_Thomas'],
  GU: ['Pacific/Guam'],
  MP: ['Pacific/Saipan'],
  AS: ['Pacific/Pago_Pago'],
};

/** Area codes by state (NANPA). */
const areaCodesByState: Readonly<Record<string, string>> = {
  AL: '205 251 256 334 659 938',
  AK: '907',
  AZ: '480 520 602 623 928',
  AR: '327 479 501 870',
  CA: '209 213 279 310 323 350 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 820 831 840 858 909 916 925 949 951',
  CO: '303 719 720 970',
  CT: '203 475 860 959',
  DE: '302',
  DC: '202 771',
  FL: '239 305 321 352 386 407 448 561 645 656 689 727 754 772 786 813 850 863 904 941 954',
  GA: '229 404 470 478 678 706 762 770 912',
  HI: '808',
  ID: '208 986',
  IL: '217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 872',
  IN: '219 260 317 463 574 765 812 930',
  IA: '319 515 563 641 712',
  KS: '316 620 785 913',
  KY: '270 364 502 606 859',
  LA: '225 318 337 504 985',
  ME: '207',
  MD: '240 301 410 443 667',
  MA: '339 351 413 508 617 774 781 857 978',
  MI: '231 248 269 313 517 586 616 679 734 810 906 947 989',
  MN: '218 320 507 612 651 763 952',
  MS: '228 601 662 769',
  MO: '235 314 417 557 573 636 660 816',
  MT: '406',
  NE: '308 402 531',
  NV: '702 725 775',
  NH: '603',
  NJ: '201 551 609 640 732 848 856 862 908 973',
  NM: '505 575',
  NY: '212 315 332 347 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934',
  NC: '252 336 472 704 743 828 910 919 980 984',
  ND: '701',
  OH: '216 220 234 283 326 330 380 419 440 513 567 614 740 937',
  OK: '405 539 572 580 918',
  OR: '458 503 541 971',
  PA: '215 223 267 272 412 445 484 570 582 610 717 724 814 835 878',
  RI: '401',
  SC: '803 839 843 854 864',
  SD: '605',
  TN: '423 615 629 731 865 901 931',
  TX: '210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 915 936 940 945 956 972 979',
  UT: '385 435 801',
  VT: '802',
  VA: '276 434 540 571 686 703 757 804 826 948',
  WA: '206 253 360 425 509 564',
  WV: '304 681',
  WI: '262 274 353 414 534 608 715 920',
  WY: '307',
  PR: '787 939',
  VI: '340',
  GU: '671',
  MP: '670',
  AS: '684',
};

/**
 * Area codes in split states known to lie in one zone. Every other area code of a split state
 * gets all of its state's zones (e.g. 850, the Florida panhandle, spans Eastern and Central).
 */
const singleZoneAreaCodes: Readonly<Record<string, string>> = {
  [eastern]: 'FL:239 305 321 352 386 407 561 645 656 689 727 754 772 786 813 863 904 941 954 KY:502 859 TN:865',
  [central]: 'AL:205 251 256 659 938 TX:210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979 TN:615 629 731 901 KS:316 913 NE:402 531 IN:219',
  [mountain]: 'TX:915',
  [arizona]: 'AZ:480 520 602 623',
  [pacific]: 'OR:503 971 NV:702 725',
  'America/Indiana/Indianapolis': 'IN:260 317 463 765',
  'America/Detroit': 'MI:231 248 269 313 517 586 616 679 734 810 947 989',
};

const areaCodeState = new Map<string, string>();
for (const [state, codes] of Object.entries(areaCodesByState)) for (const code of codes.split(' ')) areaCodeState.set(code, state);

const areaCodeZone = new Map<string, string>();
for (const [zone, list] of Object.entries(singleZoneAreaCodes)) {
  for (const token of list.split(' ')) areaCodeZone.set(token.includes(':') ? (token.split(':')[1] ?? '') : token, zone);
}

/** The state (or territory) of a US NANP area code, or `undefined` (Canada, Caribbean, unknown). */
export function stateOfAreaCode(areaCode: string): string | undefined {
  return areaCodeState.get(areaCode);
}

/** The area code of a +1 E.164 number, or `undefined` for other countries. */
export function nanpAreaCode(phone: string): string | undefined {
  return /^\+1([2-9]\d{2})[2-9]\d{6}$/.exec(phone)?.[1];
}

/** Zones of a US phone number from its area code; empty when unknown or not a US number. */
export function zonesOfPhone(phone: string): string[] {
  const code = nanpAreaCode(phone);
  if (!code) return [];
  const single = areaCodeZone.get(code);
  if (single) return [single];
  const state = areaCodeState.get(code);
  return state ? [...(stateZones[state] ?? [])] : [];
}

/** Zones of a US state or territory code; empty when unknown. */
export function zonesOfState(state: string): string[] {
  return [...(stateZones[state.toUpperCase()] ?? [])];
}

/**
 * Every zone the debtor may be in: the union of what each source says; all mainland zones when
 * no source says anything.
 */
export function candidateTimeZones({ timeZone, phone, state }: { timeZone?: string; phone?: string; state?: string }): string[] {
  const zones = [...(timeZone ? [timeZone] : []), ...(phone ? zonesOfPhone(phone) : []), ...(state ? zonesOfState(state) : [])];
  return zones.length > 0 ? [...new Set(zones)] : [...usMainlandZones];
}

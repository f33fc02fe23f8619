import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One measured figure: what it is, its value, and the target it is held to (if any). */
export interface Figure {
  /** Stable key for the JSON output, e.g. `ingest.ratio_vs_fts5`. */
  key: string;
  label: string;
  value: number;
  unit: string;
  /** Targets come from design.md §8; figures without one are for information. */
  target?: Target;
}

interface Section {
  title: string;
  figures: Figure[];
}

const LABEL_WIDTH = 68;
const VALUE_WIDTH = 16;

/** Collects figures by section, prints them as a table, and writes the same figures as JSON. */
export class Report {
  private readonly sections: Section[] = [];
  private readonly details: Record<string, unknown> = {};

  section(title: string): void {
    this.sections.push({ title, figures: [] });
    console.log(`\n-- ${title}`);
  }

  add(figure: Figure): void {
    const current = this.sections[this.sections.length - 1];
    if (!current) throw new Error('Report.add before any section');
    current.figures.push(figure);
    console.log(formatLine(figure));
  }

  /** Extra structured data for the JSON file only (breakdowns too long for the table). */
  detail(key: string, value: unknown): void {
    this.details[key] = value;
  }

  /** Prints the figures that have a target again, together, once every benchmark has run. */
  printTargets(): void {
    const targeted = this.sections.flatMap((s) => s.figures).filter((f) => f.target);
    const missed = targeted.filter((f) => !meets(f));
    console.log(`\n-- targets (design.md §8): ${targeted.length - missed.length} of ${targeted.length} met`);
    for (const figure of targeted) console.log(formatLine(figure));
  }

  writeJson(file: string, meta: Record<string, unknown>): void {
    const figures = this.sections.flatMap((s) =>
      s.figures.map((f) => ({ section: s.title, ...f, met: f.target ? meets(f) : null })),
    );
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ meta, figures, details: this.details }, null, 2) + '\n');
  }
}

export function meets(figure: Figure): boolean {
  const { target, value } = figure;
  if (!target) return true;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

function formatLine(figure: Figure): string {
  const value = `${formatNumber(figure.value)} ${figure.unit}`.trim();
  const target = figure.target
    ? `target ${figure.target.op === '>=' ? '≥' : '≤'} ${formatNumber(figure.target.value)}  ${meets(figure) ? 'met' : 'MISSED'}`
    : '(information)';
  return `  ${figure.label.padEnd(LABEL_WIDTH)} ${value.padStart(VALUE_WIDTH)}   ${target}`;
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

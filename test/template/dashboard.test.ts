/**
 * The CloudWatch dashboard of template.yaml: on by default, and its
 * widgets name exactly the metrics the function publishes, beside the
 * stream's delivery metrics, the function's own metrics and every alarm.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MALFORMED } from '../../shared/flowlog/errors.ts';
import { DEPENDENCY } from '../../shared/observability/dependency-failures.ts';
import {
  DEPENDENCY_FAILURE_PREFIX,
  METRIC,
} from '../../shared/observability/metrics.ts';
import { type Evaluated, evaluateTemplate } from './helpers/intrinsics.ts';
import { functionEnvironment } from './helpers/settings.ts';
import { loadTemplate, MAIN_TEMPLATE, REPO_ROOT } from './helpers/template.ts';

/** One metric of a widget: namespace, name and dimensions. */
interface WidgetMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface Widget {
  readonly type: string;
  readonly properties: {
    readonly metrics?: (string | object)[][];
    readonly alarms?: string[];
    readonly annotations?: { readonly alarms?: string[] };
  };
}

function evaluated(overrides: Record<string, string> = {}): Evaluated {
  return evaluateTemplate(loadTemplate(MAIN_TEMPLATE), overrides);
}

function widgets(result: Evaluated): Widget[] {
  const body = result.resources.Dashboard?.Properties?.DashboardBody;
  if (typeof body !== 'string') throw new Error('no DashboardBody');
  return (JSON.parse(body) as { widgets: Widget[] }).widgets;
}

function metricsOf(list: Widget[]): WidgetMetric[] {
  return list.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((entry) => {
      const parts = entry.filter((p): p is string => typeof p === 'string');
      const [namespace = '', name = '', ...rest] = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) {
        dimensions[rest[i]!] = rest[i + 1]!;
      }
      return { namespace, name, dimensions };
    })
  );
}

/** The metrics of the alarms drawn on graphs (annotations.alarms). */
function drawnAlarmMetrics(result: Evaluated): WidgetMetric[] {
  return widgets(result)
    .flatMap((w) => w.properties.annotations?.alarms ?? [])
    .map((arn) => {
      const id = /^\{\{GetAtt:(\w+)\.Arn\}\}$/.exec(arn)?.[1] ?? '';
      const props = result.resources[id]?.Properties ?? {};
      const dims = Array.isArray(props.Dimensions) ? props.Dimensions : [];
      return {
        namespace: String(props.Namespace),
        name: String(props.MetricName),
        dimensions: Object.fromEntries(
          dims.map((d) => {
            const { Name, Value } = d as { Name: string; Value: string };
            return [Name, Value];
          })
        ),
      };
    });
}

/** Every metric name the function publishes (index.ts `publish`). */
function publishedNames(): string[] {
  return [
    ...Object.values(METRIC),
    ...Object.values(MALFORMED).map((reason) => `Malformed_${reason}`),
    ...Object.values(DEPENDENCY).map(
      (dependency) => `${DEPENDENCY_FAILURE_PREFIX}_${dependency}`
    ),
  ];
}

describe('the dashboard', () => {
  it('exists by default and not when EnableDashboard is false', () => {
    // Act
    const on = evaluated();
    const off = evaluated({ EnableDashboard: 'false' });

    // Assess
    expect(on.resources.Dashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(off.resources.Dashboard).toBeUndefined();
  });

  it('shows every metric the function publishes, and no other of its namespace', () => {
    // Prepare
    const result = evaluated();
    const env = functionEnvironment(result);

    // Act
    const own = metricsOf(widgets(result)).filter(
      (m) => m.namespace === env.POWERTOOLS_METRICS_NAMESPACE
    );

    // Assess
    expect([...new Set(own.map((m) => m.name))].sort()).toEqual(
      publishedNames().sort()
    );
    for (const metric of own) {
      expect(metric.dimensions).toEqual({
        service: env.POWERTOOLS_SERVICE_NAME,
      });
    }
  });

  it('draws the malformed reasons under the names the handler publishes', () => {
    // Prepare
    const handler = readFileSync(
      resolve(REPO_ROOT, 'functions/flow-log-processor/index.ts'),
      'utf8'
    );

    // Act
    const prefix = /addMetric\(`(\w+)\$\{reason\}`/.exec(handler)?.[1];

    // Assess
    expect(prefix).toBe('Malformed_');
  });

  it("shows the stream's freshness, success and throttles and the function's duration and errors", () => {
    // Prepare
    const result = evaluated();

    // Act
    const shown = [
      ...metricsOf(widgets(result)),
      ...drawnAlarmMetrics(result),
    ].map((m) => `${m.namespace} ${m.name} ${JSON.stringify(m.dimensions)}`);

    // Assess
    const stream = JSON.stringify({
      DeliveryStreamName: '{{Ref:FlowLogDeliveryStream}}',
    });
    const fn = JSON.stringify({
      FunctionName: '{{Ref:FlowLogProcessorFunction}}',
    });
    expect(shown).toEqual(
      expect.arrayContaining([
        `AWS/Firehose DeliveryToS3.DataFreshness ${stream}`,
        `AWS/Firehose DeliveryToS3.Success ${stream}`,
        `AWS/Firehose ThrottledRecords ${stream}`,
        `AWS/Lambda Duration ${fn}`,
        `AWS/Lambda Errors ${fn}`,
        `AWS/Lambda Throttles ${fn}`,
      ])
    );
  });

  it('lists every alarm of the stack and draws each on a graph', () => {
    // Prepare
    const result = evaluated();
    const alarms = Object.entries(result.resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
      .map(([id]) => `{{GetAtt:${id}.Arn}}`)
      .sort();

    // Act
    const list = widgets(result);
    const listed = list.flatMap((w) => w.properties.alarms ?? []).sort();
    const drawn = list
      .flatMap((w) => w.properties.annotations?.alarms ?? [])
      .sort();

    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    expect(listed).toEqual(alarms);
    expect(drawn).toEqual(alarms);
  });
});

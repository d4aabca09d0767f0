/**
 * Project security rules, run on evaluated templates (one condition state
 * at a time). Each rule returns findings that name the offending resource;
 * an empty list means the rule holds.
 */
import { PSEUDO_PARAMETERS } from './intrinsics.ts';
import {
  type CfnResource,
  type CfnTemplate,
  getPath,
  isObject,
  type Json,
  type JsonObject,
} from './template.ts';

/** One broken rule: which resource, which rule, what is wrong. */
interface SecurityFinding {
  readonly resource: string;
  readonly rule: string;
  readonly message: string;
}

/** Evaluated resources by logical ID. */
type Resources = Readonly<Record<string, CfnResource>>;

/** A security rule over evaluated resources. */
type Rule = (resources: Resources) => SecurityFinding[];

/** Where a policy statement sits. */
type PolicyKind = 'identity' | 'trust' | 'resource';

/** A policy statement with its lists normalised. */
interface Statement {
  readonly resource: string;
  readonly kind: PolicyKind;
  readonly sid: string | undefined;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  readonly principal: Json | undefined;
  readonly condition: JsonObject;
}

/**
 * Actions AWS documents as not supporting resource-level permissions, so
 * that `"Resource": "*"` is the only possible scope:
 * - ec2:DescribeNetworkInterfaces (ENI enrichment; EC2 Describe* actions),
 * - the four log-delivery actions of the source-account role (VPC user
 *   guide, cross-account delivery to Firehose),
 * - xray:PutTraceSegments and xray:PutTelemetryRecords (function tracing;
 *   X-Ray has no resource types).
 * The VPC guide also grants iam:CreateServiceLinkedRole and
 * firehose:TagDeliveryStream on "*"; both can be scoped (to the
 * log-delivery service-linked role and to this stack's stream) and are.
 */
const UNSCOPABLE_ACTIONS: ReadonlySet<string> = new Set([
  'ec2:DescribeNetworkInterfaces',
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:GetLogDelivery',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

/** The one service-linked role the stack may create, and its service. */
const LOG_DELIVERY_SLR = {
  arn: 'arn:aws:iam::123456789012:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery',
  service: 'delivery.logs.amazonaws.com',
} as const;

/**
 * Wildcard actions allowed in Deny statements only: a Deny grants nothing,
 * and a wildcard makes the refusal cover every action.
 */
const DENY_WILDCARD_EXCEPTIONS: readonly { sid: string; action: string }[] = [
  // TLS-only bucket policy: refuse every S3 request without TLS.
  { sid: 'DenyInsecureTransport', action: 's3:*' },
];

/**
 * Confused-deputy condition keys expected in the trust policy of a role
 * per service principal; `null` marks a documented exception.
 */
const TRUST_CONDITION_KEYS: Readonly<Record<string, readonly string[] | null>> =
  {
    // The Firehose console's role trusts with sts:ExternalId = account ID.
    'firehose.amazonaws.com': [
      'sts:ExternalId',
      'aws:SourceAccount',
      'aws:SourceArn',
    ],
    // Step Functions documents both for its execution roles ("Cross-service
    // confused deputy prevention" in its developer guide).
    'states.amazonaws.com': ['aws:SourceAccount', 'aws:SourceArn'],
    // Lambda documents no confused-deputy keys for execution-role trust.
    'lambda.amazonaws.com': null,
    // AWS documents both keys for log delivery of flow logs (VPC guide,
    // "Amazon S3 bucket permissions for flow logs"); both are required.
    'delivery.logs.amazonaws.com': ['aws:SourceAccount', 'aws:SourceArn'],
  };

/** Services whose trust must carry every key listed above, not just one. */
const TRUST_NEEDS_ALL_KEYS: ReadonlySet<string> = new Set([
  'delivery.logs.amazonaws.com',
]);

/** Encryption algorithms accepted as bucket default encryption. */
const SSE_ALGORITHMS: ReadonlySet<string> = new Set([
  'AES256',
  'aws:kms',
  'aws:kms:dsse',
]);

/** The four S3 public-access-block switches. */
const PUBLIC_ACCESS_FLAGS = [
  'BlockPublicAcls',
  'BlockPublicPolicy',
  'IgnorePublicAcls',
  'RestrictPublicBuckets',
] as const;

function strings(value: Json | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) =>
    typeof item === 'string' ? item : JSON.stringify(item)
  );
}

function documentStatements(
  resource: string,
  kind: PolicyKind,
  document: Json | undefined
): Statement[] {
  const list = getPath(document, ['Statement']);
  const items = Array.isArray(list) ? list : list === undefined ? [] : [list];
  return items.filter(isObject).map((statement) => ({
    resource,
    kind,
    sid: typeof statement.Sid === 'string' ? statement.Sid : undefined,
    effect: String(statement.Effect),
    actions: strings(statement.Action),
    notActions: strings(statement.NotAction),
    resources: strings(statement.Resource),
    notResources: strings(statement.NotResource),
    principal: statement.Principal,
    condition: isObject(statement.Condition) ? statement.Condition : {},
  }));
}

/**
 * Every policy statement of every resource: role trust and inline
 * policies, managed/inline policy resources, bucket policies, and
 * serverless-function inline policies.
 *
 * @example policyStatements(evaluated.resources).filter((s) => s.kind === 'trust')
 */
function policyStatements(resources: Resources): Statement[] {
  const statements: Statement[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const props = resource.Properties ?? {};
    const add = (kind: PolicyKind, document: Json | undefined): void => {
      statements.push(...documentStatements(id, kind, document));
    };
    add('trust', props.AssumeRolePolicyDocument);
    for (const policy of Array.isArray(props.Policies) ? props.Policies : []) {
      add(
        'identity',
        isObject(policy) ? (policy.PolicyDocument ?? policy) : {}
      );
    }
    if (resource.Type === 'AWS::S3::BucketPolicy') {
      add('resource', props.PolicyDocument);
    } else if (resource.Type.startsWith('AWS::IAM::')) {
      add('identity', props.PolicyDocument);
    }
  }
  return statements;
}

function finding(
  resource: string,
  rule: string,
  message: string
): SecurityFinding {
  return { resource, rule, message };
}

/** No `*` in any action of an Allow; Deny only per the exceptions. */
const noWildcardActions: Rule = (resources) =>
  policyStatements(resources).flatMap((statement) => {
    const found: SecurityFinding[] = [];
    const { resource, effect, sid } = statement;
    for (const action of [...statement.actions, ...statement.notActions]) {
      if (!action.includes('*')) continue;
      const excepted =
        effect === 'Deny' &&
        DENY_WILDCARD_EXCEPTIONS.some(
          (item) => item.sid === sid && item.action === action
        );
      if (!excepted) {
        const label = sid ?? 'statement without Sid';
        found.push(
          finding(resource, 'no-wildcard-actions', `${label}: ${action}`)
        );
      }
    }
    if (effect === 'Allow' && statement.notActions.length > 0) {
      const label = sid ?? 'statement without Sid';
      found.push(
        finding(resource, 'no-wildcard-actions', `${label}: NotAction`)
      );
    }
    return found;
  });

/** Allow statements name resources; `*` only for unscopable actions. */
const scopedResources: Rule = (resources) =>
  policyStatements(resources)
    .filter((statement) => statement.effect === 'Allow')
    .filter((statement) => statement.kind !== 'trust')
    .flatMap((statement) => {
      const label = statement.sid ?? 'statement without Sid';
      if (statement.notResources.length > 0) {
        return [
          finding(
            statement.resource,
            'scoped-resources',
            `${label}: NotResource`
          ),
        ];
      }
      const wildcard = statement.resources.includes('*');
      const unscopable = statement.actions.every((action) =>
        UNSCOPABLE_ACTIONS.has(action)
      );
      if (statement.kind === 'identity' && statement.resources.length === 0) {
        return [
          finding(
            statement.resource,
            'scoped-resources',
            `${label}: no Resource`
          ),
        ];
      }
      return wildcard && !unscopable
        ? [
            finding(
              statement.resource,
              'scoped-resources',
              `${label}: Resource * for ${statement.actions.join(', ')}`
            ),
          ]
        : [];
    });

/** iam:PassRole only on named roles, only to a named service. */
const passRoleConditions: Rule = (resources) =>
  policyStatements(resources)
    .filter((statement) => statement.effect === 'Allow')
    .filter((statement) => statement.actions.includes('iam:PassRole'))
    .flatMap((statement) => {
      const found: SecurityFinding[] = [];
      const label = statement.sid ?? 'statement without Sid';
      const service = getPath(statement.condition, [
        'StringEquals',
        'iam:PassedToService',
      ]);
      if (service === undefined) {
        found.push(
          finding(
            statement.resource,
            'pass-role',
            `${label}: no iam:PassedToService`
          )
        );
      }
      if (statement.resources.some((arn) => arn.includes('*'))) {
        found.push(
          finding(statement.resource, 'pass-role', `${label}: role *`)
        );
      }
      return found;
    });

/** Trust policies: named principals, confused-deputy keys per service. */
const trustPolicies: Rule = (resources) =>
  policyStatements(resources)
    .filter((statement) => statement.kind === 'trust')
    .filter((statement) => statement.effect === 'Allow')
    .flatMap((statement) => trustFindings(statement));

function trustFindings(statement: Statement): SecurityFinding[] {
  const { resource, principal, condition } = statement;
  const fail = (message: string): SecurityFinding =>
    finding(resource, 'trust-policy', message);
  if (principal === '*' || !isObject(principal)) return [fail('principal *')];
  const found: SecurityFinding[] = [];
  const keys = Object.values(condition).flatMap((block) =>
    isObject(block) ? Object.keys(block) : []
  );
  for (const service of strings(principal.Service)) {
    if (!(service in TRUST_CONDITION_KEYS)) {
      found.push(fail(`no trust rule for service ${service}`));
      continue;
    }
    const expected = TRUST_CONDITION_KEYS[service];
    const all = TRUST_NEEDS_ALL_KEYS.has(service);
    const present = (key: string): boolean => keys.includes(key);
    if (expected && !(all ? expected.every(present) : expected.some(present))) {
      const joined = expected.join(all ? ' and ' : ' or ');
      found.push(fail(`${service} without ${joined}`));
    }
    const account = PSEUDO_PARAMETERS['AWS::AccountId'];
    const values = Object.values(condition).flatMap((block) =>
      isObject(block) ? Object.values(block).flatMap(strings) : []
    );
    if (expected && !values.some((value) => value.includes(account!))) {
      found.push(fail(`${service} condition does not name this account`));
    }
  }
  // A role ARN, never an account narrowed by aws:PrincipalArn: IAM pins a
  // role principal to the role's unique ID, a name match is not.
  for (const arn of strings(principal.AWS)) {
    const role = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\//.test(arn);
    if (!role) {
      found.push(fail(`AWS principal ${arn} is not one role's ARN`));
    }
  }
  return found;
}

/**
 * iam:CreateServiceLinkedRole only for the log-delivery service-linked
 * role: that role's ARN and an iam:AWSServiceName condition naming its
 * service (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
 */
const serviceLinkedRole: Rule = (resources) =>
  policyStatements(resources)
    .filter((statement) => statement.effect === 'Allow')
    .filter((statement) =>
      statement.actions.includes('iam:CreateServiceLinkedRole')
    )
    .flatMap((statement) => {
      const label = statement.sid ?? 'statement without Sid';
      const found: SecurityFinding[] = [];
      const service = getPath(statement.condition, [
        'StringEquals',
        'iam:AWSServiceName',
      ]);
      if (service !== LOG_DELIVERY_SLR.service) {
        found.push(
          finding(
            statement.resource,
            'service-linked-role',
            `${label}: iam:AWSServiceName is not ${LOG_DELIVERY_SLR.service}`
          )
        );
      }
      if (
        statement.resources.length !== 1 ||
        statement.resources[0] !== LOG_DELIVERY_SLR.arn
      ) {
        found.push(
          finding(
            statement.resource,
            'service-linked-role',
            `${label}: Resource is not ${LOG_DELIVERY_SLR.arn}`
          )
        );
      }
      return found;
    });

/** Resource policies grant nothing to `*`. */
const noPublicPrincipal: Rule = (resources) =>
  policyStatements(resources)
    .filter((statement) => statement.kind === 'resource')
    .filter((statement) => statement.effect === 'Allow')
    .filter(
      (statement) =>
        statement.principal === '*' ||
        strings(getPath(statement.principal, ['AWS'])).includes('*')
    )
    .map((statement) =>
      finding(statement.resource, 'no-public-principal', 'Allow to *')
    );

function bucketIds(resources: Resources): string[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket')
    .map(([id]) => id);
}

/** Every bucket encrypts by default. */
const bucketEncryption: Rule = (resources) =>
  bucketIds(resources).flatMap((id) => {
    const rules = getPath(resources[id], [
      'Properties',
      'BucketEncryption',
      'ServerSideEncryptionConfiguration',
    ]);
    const algorithms = (Array.isArray(rules) ? rules : []).map((rule) =>
      getPath(rule, ['ServerSideEncryptionByDefault', 'SSEAlgorithm'])
    );
    const ok =
      algorithms.length > 0 &&
      algorithms.every((name) => SSE_ALGORITHMS.has(String(name)));
    return ok
      ? []
      : [finding(id, 'bucket-encryption', 'no default encryption')];
  });

/** Every bucket blocks public access four ways and disables ACLs. */
const bucketPublicAccess: Rule = (resources) =>
  bucketIds(resources).flatMap((id) => {
    const props = resources[id]?.Properties;
    const block = getPath(props, ['PublicAccessBlockConfiguration']);
    const found = PUBLIC_ACCESS_FLAGS.filter(
      (flag) => String(getPath(block, [flag])) !== 'true'
    ).map((flag) => finding(id, 'bucket-public-access', `${flag} not true`));
    const owner = getPath(props, [
      'OwnershipControls',
      'Rules',
      0,
      'ObjectOwnership',
    ]);
    if (owner !== 'BucketOwnerEnforced') {
      found.push(
        finding(
          id,
          'bucket-public-access',
          'ACLs not disabled (BucketOwnerEnforced)'
        )
      );
    }
    return found;
  });

/** Every bucket has a policy that denies requests without TLS. */
const bucketTlsOnly: Rule = (resources) =>
  bucketIds(resources).flatMap((id) => {
    const arn = `{{GetAtt:${id}.Arn}}`;
    const policies = Object.entries(resources).filter(
      ([, resource]) =>
        resource.Type === 'AWS::S3::BucketPolicy' &&
        getPath(resource, ['Properties', 'Bucket']) === `{{Ref:${id}}}`
    );
    const statements = policies.flatMap(([policyId]) =>
      policyStatements({ [policyId]: resources[policyId]! })
    );
    const denies = statements.some(
      (statement) =>
        statement.effect === 'Deny' &&
        statement.principal === '*' &&
        statement.actions.some((action) => action === 's3:*') &&
        statement.resources.includes(arn) &&
        statement.resources.includes(`${arn}/*`) &&
        String(
          getPath(statement.condition, ['Bool', 'aws:SecureTransport'])
        ) === 'false'
    );
    return denies
      ? []
      : [
          finding(
            id,
            'bucket-tls-only',
            'no Deny for aws:SecureTransport false'
          ),
        ];
  });

/** Every bucket keeps versions, so an overwrite or delete can be undone. */
const bucketVersioning: Rule = (resources) =>
  bucketIds(resources).flatMap((id) =>
    getPath(resources[id], [
      'Properties',
      'VersioningConfiguration',
      'Status',
    ]) === 'Enabled'
      ? []
      : [finding(id, 'bucket-versioning', 'versioning not Enabled')]
  );

/**
 * Every bucket logs access to a bucket of the stack, except the buckets
 * that receive those logs (logging a log bucket into itself never ends).
 */
const bucketAccessLogging: Rule = (resources) => {
  const ids = bucketIds(resources);
  const destinationOf = (id: string): Json | undefined =>
    getPath(resources[id], [
      'Properties',
      'LoggingConfiguration',
      'DestinationBucketName',
    ]);
  const logBuckets = new Set(
    ids
      .map(destinationOf)
      .filter((d) => d !== undefined)
      .map(String)
  );
  return ids
    .filter((id) => !logBuckets.has(`{{Ref:${id}}}`))
    .flatMap((id) => {
      const destination = destinationOf(id);
      const ok =
        typeof destination === 'string' &&
        ids.some((other) => destination === `{{Ref:${other}}}`);
      return ok
        ? []
        : [finding(id, 'bucket-access-logging', 'no server access logging')];
    });
};

/** Every bucket has enabled lifecycle rules, one of them an expiration. */
const bucketLifecycle: Rule = (resources) =>
  bucketIds(resources).flatMap((id) => {
    const rules = getPath(resources[id], [
      'Properties',
      'LifecycleConfiguration',
      'Rules',
    ]);
    const enabled = (Array.isArray(rules) ? rules : []).filter(
      (rule) => getPath(rule, ['Status']) === 'Enabled'
    );
    const expires = enabled.some(
      (rule) => getPath(rule, ['ExpirationInDays']) !== undefined
    );
    return expires
      ? []
      : [finding(id, 'bucket-lifecycle', 'no enabled expiration rule')];
  });

function streamIds(resources: Resources): string[] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::KinesisFirehose::DeliveryStream')
    .map(([id]) => id);
}

/** Every delivery stream encrypts at rest (server-side encryption). */
const streamEncryption: Rule = (resources) =>
  streamIds(resources).flatMap((id) => {
    const keyType = getPath(resources[id], [
      'Properties',
      'DeliveryStreamEncryptionConfigurationInput',
      'KeyType',
    ]);
    return keyType === 'AWS_OWNED_CMK' || keyType === 'CUSTOMER_MANAGED_CMK'
      ? []
      : [finding(id, 'stream-encryption', 'no server-side encryption')];
  });

/** Every delivery stream carries LogDeliveryEnabled=true. */
const logDeliveryTag: Rule = (resources) =>
  streamIds(resources).flatMap((id) => {
    const tags = getPath(resources[id], ['Properties', 'Tags']);
    const tagged = (Array.isArray(tags) ? tags : []).some(
      (tag) =>
        getPath(tag, ['Key']) === 'LogDeliveryEnabled' &&
        String(getPath(tag, ['Value'])) === 'true'
    );
    return tagged
      ? []
      : [finding(id, 'log-delivery-tag', 'no LogDeliveryEnabled=true tag')];
  });

/** Every log group has a retention. */
const logRetention: Rule = (resources) =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Logs::LogGroup')
    .filter(
      ([, resource]) => !getPath(resource, ['Properties', 'RetentionInDays'])
    )
    .map(([id]) => finding(id, 'log-retention', 'no RetentionInDays'));

/** All rules run on evaluated templates, by name. */
const SECURITY_RULES: Readonly<Record<string, Rule>> = {
  'no-wildcard-actions': noWildcardActions,
  'scoped-resources': scopedResources,
  'pass-role': passRoleConditions,
  'trust-policy': trustPolicies,
  'service-linked-role': serviceLinkedRole,
  'no-public-principal': noPublicPrincipal,
  'bucket-encryption': bucketEncryption,
  'bucket-public-access': bucketPublicAccess,
  'bucket-tls-only': bucketTlsOnly,
  'bucket-lifecycle': bucketLifecycle,
  'bucket-versioning': bucketVersioning,
  'bucket-access-logging': bucketAccessLogging,
  'stream-encryption': streamEncryption,
  'log-delivery-tag': logDeliveryTag,
  'log-retention': logRetention,
};

/** Name of the parameter that must feed every flow-log format. */
const FORMAT_PARAMETER = 'FlowLogFormat';

/**
 * On the raw template: every AWS::EC2::FlowLog takes LogFormat from the
 * FlowLogFormat parameter, and so does every function's FLOW_LOG_FORMAT.
 *
 * @example formatParameterFindings(loadTemplate('template.yaml'))
 */
function formatParameterFindings(template: CfnTemplate): SecurityFinding[] {
  const found: SecurityFinding[] = [];
  const expected = JSON.stringify({ Ref: FORMAT_PARAMETER });
  if (!template.Parameters?.[FORMAT_PARAMETER]) {
    found.push(finding('Parameters', 'one-format', `no ${FORMAT_PARAMETER}`));
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    const path =
      resource.Type === 'AWS::EC2::FlowLog'
        ? ['Properties', 'LogFormat']
        : resource.Type === 'AWS::Serverless::Function'
          ? ['Properties', 'Environment', 'Variables', 'FLOW_LOG_FORMAT']
          : undefined;
    if (!path) continue;
    const value = getPath(resource, path);
    if (JSON.stringify(value) !== expected) {
      found.push(
        finding(
          id,
          'one-format',
          `${path.at(-1)} is not !Ref ${FORMAT_PARAMETER}`
        )
      );
    }
  }
  return found;
}

export type { Resources, Rule, SecurityFinding, Statement };
export {
  DENY_WILDCARD_EXCEPTIONS,
  formatParameterFindings,
  policyStatements,
  SECURITY_RULES,
  TRUST_CONDITION_KEYS,
  UNSCOPABLE_ACTIONS,
};

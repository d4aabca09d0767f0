/**
 * The one configured Powertools Logger of the function.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** Service name used by logs and metrics unless POWERTOOLS_SERVICE_NAME says otherwise. */
const SERVICE_NAME = 'flow-log-processor';

/**
 * The `service` of logs and metrics: POWERTOOLS_SERVICE_NAME when set (the
 * backfill worker sets `backfill-worker`), else {@link SERVICE_NAME}. Read
 * here because Powertools lets a `serviceName` constructor option win over
 * the variable
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/#utility-settings).
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;

/** The function's logger: JSON lines, level from POWERTOOLS_LOG_LEVEL. */
const logger = new Logger({ serviceName });

export { logger, SERVICE_NAME, serviceName };

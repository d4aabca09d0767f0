/**
 * The one configured Powertools Logger of the function.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** Service name used by logs and metrics unless POWERTOOLS_SERVICE_NAME says otherwise. */
const SERVICE_NAME = 'flow-log-processor';

/** The function's logger: JSON lines, level from POWERTOOLS_LOG_LEVEL. */
const logger = new Logger({ serviceName: SERVICE_NAME });

export { logger, SERVICE_NAME };

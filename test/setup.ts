// Shared test setup: custom matchers for aws-sdk-client-mock.
import 'aws-sdk-client-mock-vitest/extend';

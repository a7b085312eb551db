package dev.strand.test;

import org.springframework.core.Ordered;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/**
 * Closes the tabs that the application context's {@link StrandTestClient} opened, after each test method: their
 * streams end and their views close, so that no stream, view or task outlives the test that made it (the
 * context, and so the client, is shared by every test class that runs with it).
 */
public final class StrandTestExecutionListener extends AbstractTestExecutionListener {

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 100;
	}

	@Override
	public void afterTestMethod(TestContext testContext) {
		if (testContext.hasApplicationContext()) {
			testContext.getApplicationContext()
				.getBeanProvider(StrandTestClient.class)
				.ifAvailable(StrandTestClient::closeAll);
		}
	}

}

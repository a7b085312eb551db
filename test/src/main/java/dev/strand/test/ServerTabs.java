package dev.strand.test;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.strand.internal.TabActor;
import dev.strand.internal.TabRegistry;

/**
 * The application's tabs, when it runs in the test's JVM: where a {@link TestTab} reads its view's state and lets
 * its timeouts run out.
 */
final class ServerTabs {

	private final Supplier<@Nullable TabRegistry> registry;

	ServerTabs(Supplier<@Nullable TabRegistry> registry) {
		this.registry = registry;
	}

	/**
	 * Return the tab with this id, or {@code null} if it has closed.
	 * @throws IllegalStateException if the application's tabs cannot be read from here
	 */
	@Nullable TabActor find(String id) {
		TabRegistry registry = this.registry.get();
		if (registry == null) {
			throw new IllegalStateException("Reading a view's state needs the application in the test's JVM, with "
					+ "Strand's TabRegistry bean; this StrandTestClient has none. Use the StrandTestClient bean of a "
					+ "@SpringBootTest or @WebFluxTest, or create one with StrandTestClient.create(client, context)");
		}
		// with several servers (strand.cluster.mode=redis), a view opened through this test's server lives here
		return registry.localTab(id);
	}

}

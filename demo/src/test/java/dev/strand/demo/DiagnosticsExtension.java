package dev.strand.demo;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import dev.strand.internal.Tab;
import dev.strand.internal.TabRegistry;

/**
 * When a browser test or its {@code @BeforeEach} fails (before its page is closed), prints what its pages say of
 * themselves and the requests they made ({@link BrowserTest#printPages}), dumps every thread of the test JVM (which
 * also runs the application, virtual threads included) to target/thread-dumps, and prints each open tab's engine
 * state (events appended and sent, messages queued), so that a stalled mailbox or stream shows where it waits.
 */
class DiagnosticsExtension implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

	@Override
	public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
		dump(context);
		throw failure;
	}

	@Override
	public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
		dump(context);
		throw failure;
	}

	private static void dump(ExtensionContext context) {
		if (context.getRequiredTestInstance() instanceof BrowserTest test) {
			test.printPages();
		}
		try {
			Path file = Path.of("target", "thread-dumps", context.getRequiredTestClass().getSimpleName() + "."
					+ context.getRequiredTestMethod().getName() + "-" + System.nanoTime() + ".txt");
			Files.createDirectories(file.getParent());
			ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
				.dumpThreads(file.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
			System.out.println("Thread dump: " + file.toAbsolutePath());
		}
		catch (Exception ex) {
			ex.printStackTrace();
		}
		try {
			ApplicationContext application = SpringExtension.getApplicationContext(context);
			TabRegistry registry = application.getBean(TabRegistry.class);
			Map<?, ?> tabs = (Map<?, ?>) read(registry, "tabs");
			for (Object value : tabs.values()) {
				Tab tab = (Tab) value;
				Object log = read(tab, "log");
				Object subscription = read(log, "subscription");
				Object view = read(tab, "view");
				System.out.println("Strand " + tab + ": connected=" + tab.isConnected() + " closed=" + tab.isClosed()
						+ " inTurn=" + read(view, "inTurn") + " tasks=" + read(read(view, "tasks"), "current")
						+ " events.lastId=" + tab.lastEventId() + " sent up to="
						+ ((subscription != null) ? read(log, "readId") + " overrun=" + read(subscription, "overrun") : "no stream")
						+ " messages queued="
						+ read(read(tab, "mailbox"), "size"));
			}
		}
		catch (Exception ex) {
			System.out.println("No Strand state: " + ex);
		}
	}

	private static Object read(Object target, String name) throws ReflectiveOperationException {
		for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
			try {
				Field field = type.getDeclaredField(name);
				field.setAccessible(true);
				return field.get(target);
			}
			catch (NoSuchFieldException ex) {
				// look further up
			}
		}
		throw new NoSuchFieldException(name + " in " + target.getClass().getName());
	}

}

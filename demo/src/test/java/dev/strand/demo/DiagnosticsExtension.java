package dev.strand.demo;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

import dev.strand.internal.StrandEngine;

/**
 * When a browser test fails (before its page is closed), dumps every thread of the test JVM (which also runs the application, virtual
 * threads included) to target/thread-dumps, and prints each open view's engine state (events appended and
 * sent, turns queued), so that a stalled mailbox or stream shows where it waits.
 */
class DiagnosticsExtension implements TestExecutionExceptionHandler {

	@Override
	public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
		dump(context);
		throw failure;
	}

	private static void dump(ExtensionContext context) {
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
			StrandEngine engine = application.getBean(StrandEngine.class);
			Map<?, ?> views = (Map<?, ?>) read(engine.registry(), "views");
			for (Object view : views.values()) {
				Object events = read(view, "events");
				Object subscription = read(events, "subscription");
				System.out.println("Strand " + view + ": connected=" + read(view, "connected") + " closed="
						+ read(view, "closed") + " inTurn=" + read(view, "inTurn") + " tasks=" + read(view, "tasks")
						+ " events.lastId=" + read(events, "lastId") + " sent up to="
						+ ((subscription != null) ? read(subscription, "cursor") : "no stream") + " turns queued="
						+ read(read(view, "mailbox"), "size"));
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

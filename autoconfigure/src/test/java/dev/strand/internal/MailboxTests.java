package dev.strand.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mailbox: one message at a time, in order, and a sender that finds it idle may receive its message itself.
 */
class MailboxTests {

	private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mailbox-", 0).factory());

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final List<Thread> threads = new CopyOnWriteArrayList<>();

	@AfterEach
	void shutDown() {
		this.executor.shutdownNow();
	}

	private Mailbox<String> mailbox(Consumer<String> also) {
		return new Mailbox<>(this.executor, (message) -> {
			this.received.add(message);
			this.threads.add(Thread.currentThread());
			also.accept(message);
		});
	}

	@Test
	void whenTheMailboxIsIdleThenTheSenderReceivesItsMessageItself() {
		Mailbox<String> mailbox = mailbox((message) -> {
		});
		mailbox.receiveOrSend("chunk");
		assertThat(this.received).containsExactly("chunk");
		assertThat(this.threads).containsExactly(Thread.currentThread());
	}

	@Test
	void whenAMessageIsBeingReceivedThenASenderQueuesBehindItAndNothingOverlaps() throws Exception {
		CountDownLatch inside = new CountDownLatch(1);
		CountDownLatch letGo = new CountDownLatch(1);
		Mailbox<String> mailbox = mailbox((message) -> {
			if (message.equals("turn")) {
				inside.countDown();
				waitFor(letGo);
			}
		});
		mailbox.send("turn");
		assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
		mailbox.receiveOrSend("chunk"); // returns at once: queued
		assertThat(this.received).containsExactly("turn");
		letGo.countDown();
		await().atMost(10, TimeUnit.SECONDS).until(() -> this.received.size() == 2);
		assertThat(this.received).containsExactly("turn", "chunk");
		assertThat(this.threads.get(1)).isNotSameAs(Thread.currentThread());
	}

	@Test
	void whenAHeldMessageIsNotReleasedYetThenASendersMessageWaitsForTheRelease() {
		AtomicReference<Runnable> release = new AtomicReference<>();
		AtomicReference<Mailbox<String>> box = new AtomicReference<>();
		Mailbox<String> mailbox = mailbox((message) -> {
			if (message.equals("turn")) {
				release.set(box.get().hold());
			}
		});
		box.set(mailbox);
		mailbox.send("turn");
		await().atMost(10, TimeUnit.SECONDS).until(() -> release.get() != null);
		mailbox.receiveOrSend("chunk");
		assertThat(this.received).containsExactly("turn");
		release.get().run();
		await().atMost(10, TimeUnit.SECONDS).until(() -> this.received.size() == 2);
		assertThat(this.received).containsExactly("turn", "chunk");
	}

	@Test
	void whenMessagesArriveWhileTheSenderReceivesThenTheyAreReceivedAfterItOnTheExecutorInOrder() {
		AtomicReference<Mailbox<String>> box = new AtomicReference<>();
		Mailbox<String> mailbox = mailbox((message) -> {
			if (message.equals("chunk")) {
				box.get().send("a");
				box.get().send("b");
				assertThat(this.received).containsExactly("chunk"); // not received inside the caller's message
			}
		});
		box.set(mailbox);
		mailbox.receiveOrSend("chunk");
		await().atMost(10, TimeUnit.SECONDS).until(() -> this.received.size() == 3);
		assertThat(this.received).containsExactly("chunk", "a", "b");
		assertThat(this.threads.subList(1, 3)).noneMatch((thread) -> thread == Thread.currentThread());
	}

	@Test
	void whenManyThreadsSendAndReceiveAtOnceThenEveryMessageIsReceivedOnceAndNeverTwoAtATime() throws Exception {
		AtomicReference<Thread> receiving = new AtomicReference<>();
		List<String> overlaps = new CopyOnWriteArrayList<>();
		Mailbox<String> mailbox = mailbox((message) -> {
			if (!receiving.compareAndSet(null, Thread.currentThread())) {
				overlaps.add(message);
			}
			Thread.onSpinWait();
			receiving.set(null);
		});
		int senders = 8;
		int each = 2_000;
		try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int s = 0; s < senders; s++) {
				int sender = s;
				pool.execute(() -> {
					for (int i = 0; i < each; i++) {
						String message = sender + ":" + i;
						if (i % 2 == 0) {
							mailbox.receiveOrSend(message);
						}
						else {
							mailbox.send(message);
						}
					}
				});
			}
		}
		await().atMost(30, TimeUnit.SECONDS).until(() -> this.received.size() == senders * each);
		assertThat(overlaps).isEmpty();
		assertThat(this.received).doesNotHaveDuplicates();
		for (int s = 0; s < senders; s++) {
			String prefix = s + ":";
			assertThat(this.received.stream().filter((message) -> message.startsWith(prefix))
				.map((message) -> Integer.parseInt(message.substring(prefix.length())))).isSorted();
		}
	}

	private static void waitFor(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

package dev.strand.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.strand.CancelReason;
import dev.strand.Outcome;
import dev.strand.Progress;
import dev.strand.View;

/**
 * One tab as an actor. Every message comes in through its {@link Mailbox} and is handled, one at a time, by
 * {@link #receive}, which always ends by flushing what changed to the tab's {@link EventLog}, the only way
 * out. Tasks ({@link TaskTable}) and the web only send it messages.
 */
public final class TabActor implements Tab {

	private static final Log logger = LogFactory.getLog(TabActor.class);

	/** How long changes may wait for the messages queued behind theirs before they are flushed: a frame at 60 Hz. */
	static final long MAX_UNFLUSHED_NANOS = 16_000_000;

	private final String id;

	private final String sessionKey;

	private final StrandEngine engine;

	private final Callbacks callbacks;

	private final EventLog log;

	private final Consumer<CancelReason> onClosed;

	private final Mailbox<Message> mailbox;

	private final TabView view;

	private volatile @Nullable TabRenderer renderer;

	private volatile boolean closed;

	/** How many streams have attached: a grace timer set for an earlier one is stale. */
	private int connections;

	/**
	 * Whether changes made by the messages handled so far wait to be flushed with the next message's: set only
	 * while that message is queued, so the last message before the mailbox idles always flushes.
	 */
	private boolean unflushed;

	/** When the changes that wait to be flushed began to wait ({@link System#nanoTime()}). */
	private long unflushedSince;

	private EventLog.@Nullable Subscription stream;

	/** The connect timeout until the first stream attaches, then the grace period while none is. */
	private Timeouts.@Nullable Timeout timer;

	TabActor(String id, String sessionKey, StrandEngine engine, Callbacks callbacks, EventLog log,
			Consumer<CancelReason> onClosed) {
		this.id = id;
		this.sessionKey = sessionKey;
		this.engine = engine;
		this.callbacks = callbacks;
		this.log = log;
		this.onClosed = onClosed;
		this.mailbox = new Mailbox<>(engine.mailboxExecutor(), this::receive);
		this.view = new TabView(id, callbacks, (assigns) -> new TaskTable(engine, Tab.logName(id), assigns, log,
				callbacks, this::fromTask));
	}

	/**
	 * A message from one of the tab's tasks. A chunk that runs no callback is received on the task's own thread
	 * when the mailbox is idle, as it would be on the mailbox's: one thread hand-off fewer per chunk.
	 */
	private void fromTask(Message message) {
		if (message instanceof Message.Chunk chunk && !chunk.run().chunkCallback) {
			this.mailbox.receiveOrSend(message);
		}
		else {
			this.mailbox.send(message);
		}
	}

	/** Start the connect timeout: the tab closes if no stream attaches in time. */
	void expireUnlessConnected() {
		this.timer = this.engine.schedule(() -> this.mailbox.send(new Message.ConnectTimeout()),
				this.engine.settings().connectTimeout());
	}

	// ---- Tab -----------------------------------------------------------------------------------------------

	@Override
	public String id() {
		return this.id;
	}

	public String sessionKey() {
		return this.sessionKey;
	}

	@Override
	public View view() {
		return this.view;
	}

	@Override
	public long lastEventId() {
		return this.log.lastId();
	}

	@Override
	public boolean isConnected() {
		return this.view.connected;
	}

	@Override
	public boolean isClosed() {
		return this.closed;
	}

	@Override
	public Map<String, @Nullable Object> assigns() {
		return this.view.state().assigns();
	}

	@Override
	public Map<String, String> flashes() {
		return this.view.state().flashes();
	}

	@Override
	public TabRenderer renderer(Function<BufferBudget, TabRenderer> create) {
		TabRenderer renderer = this.renderer;
		if (renderer == null) {
			renderer = create.apply(this.engine.buffers());
			this.renderer = renderer;
		}
		return renderer;
	}

	/**
	 * Ask for a web request's turn. On an idle tab it is granted on the calling thread (the request's event loop, or
	 * the thread its session store answered on), with no hand-off to a mailbox thread: the grant only takes the
	 * mailbox, and the handler runs on the request's event loop either way.
	 */
	@Override
	public void requestTurn(@Nullable Map<String, Object> model, Consumer<PageTurn> granted) {
		this.mailbox.receiveOrSend(new Message.Turn(model, granted));
	}

	@Override
	public void connect(long lastEventId, Runnable listener, Consumer<EventLog.Subscription> onSubscribed) {
		this.mailbox.send(new Message.Connect(lastEventId, listener, onSubscribed));
	}

	@Override
	public void disconnect(EventLog.Subscription subscription) {
		subscription.cancel();
		this.mailbox.send(new Message.Disconnect(subscription));
	}

	@Override
	public void close(CancelReason reason) {
		this.mailbox.send(new Message.Close(reason));
	}

	/**
	 * Run an action in a turn of its own on the mailbox's thread, then flush; for the engine's tests and tools.
	 * @param action the action
	 */
	void execute(Runnable action) {
		this.mailbox.send(new Message.Turn(null, (turn) -> {
			try {
				action.run();
			}
			finally {
				turn.end();
			}
		}));
	}

	/**
	 * Read the tab's state on its mailbox, between two messages; for test support and tools. It changes
	 * nothing, and works on a closed tab too.
	 * @return the snapshot, once the mailbox has come to it
	 */
	public CompletableFuture<TabSnapshot> snapshot() {
		CompletableFuture<TabSnapshot> snapshot = new CompletableFuture<>();
		execute(() -> snapshot.complete(new TabSnapshot(this.id, this.view.connected, this.closed, this.log.lastId(),
				this.view.state().assigns(), this.view.state().flashes(), this.view.tasks().snapshot())));
		return snapshot;
	}

	/**
	 * Let the time the tab waits for its stream run out now, as its timer would: the connect timeout if no stream
	 * has attached yet, the disconnect grace period if its stream has gone. A tab whose stream is attached is
	 * left alone. For test support, so that a test need not sleep through the real timeout.
	 * @return whether the tab is closed, once the timeout has been handled
	 */
	public CompletableFuture<Boolean> timeoutNow() {
		CompletableFuture<Boolean> closed = new CompletableFuture<>();
		execute(() -> {
			if (this.stream == null && !this.closed) {
				// the timer's own message, handled as the timer's would be; the timer itself is cancelled on close
				this.mailbox.send(this.view.started ? new Message.GraceOver(this.connections) : new Message.ConnectTimeout());
			}
			execute(() -> closed.complete(this.closed)); // queued after that message
		});
		return closed;
	}

	int taskCount() {
		return this.view.tasks().size();
	}

	/** Whether the mailbox is idle: nothing queued, nothing being received, no turn held. */
	boolean isIdle() {
		return this.mailbox.queued() == 0;
	}

	EventLog log() {
		return this.log;
	}

	@Override
	public String toString() {
		return Tab.logName(this.id);
	}

	// ---- the actor -----------------------------------------------------------------------------------------

	/**
	 * Handle one message, then flush what it changed. A message that puts out nothing of its own (a chunk its
	 * {@code @HandleChunk} keeps off the page, and which neither flashed nor navigated) leaves its changed
	 * assigns to the next message's flush when that message is already queued, for up to
	 * {@link #MAX_UNFLUSHED_NANOS} (and however long the message then being handled takes): messages that pile
	 * up behind a busy tab then cost one render, not one each, and a task that pushes without pause still has
	 * its page updated about once a frame. Any other message flushes what is pending before it is handled, so
	 * events keep the order the messages made them in; within one flush, flash messages go first, as ever.
	 */
	private void receive(Message message) {
		boolean held = false;
		this.view.enter(null);
		try {
			boolean silent = putsOutNothing(message);
			if (this.unflushed && !silent) {
				flushOrRecover(message);
			}
			held = handle(message);
			if (!held) {
				if (silent && this.mailbox.queued() > 1 && !this.view.state().hasEventsToFlush() && mayWait()) {
					this.unflushed = true;
				}
				else {
					flush();
				}
			}
		}
		catch (Throwable failure) {
			failed(message, failure);
		}
		finally {
			if (!held) {
				this.view.exit();
			}
		}
	}

	/** Handle a message; returns whether it is a web request's turn, held until the request ends it. */
	private boolean handle(Message message) {
		switch (message) {
			case Message.Turn turn -> {
				return grant(turn);
			}
			case Message.Connect connect -> attach(connect);
			case Message.Disconnect disconnect -> detach(disconnect.subscription());
			case Message.Chunk chunk -> chunk(chunk);
			case Message.Progress progress -> progress(progress.run());
			case Message.Ended ended -> ended(ended.run(), ended.outcome());
			case Message.Close close -> close(close.reason(), null);
			case Message.ConnectTimeout timeout -> {
				if (!this.view.started) {
					close(CancelReason.VIEW_CLOSED, "it never connected");
				}
			}
			case Message.GraceOver grace -> {
				if (this.stream == null && grace.connection() == this.connections) {
					close(CancelReason.VIEW_CLOSED, "its stream did not come back");
				}
			}
		}
		return false;
	}

	/**
	 * A message could not be handled (a bug, or the heap ran out): whatever it was to send may be lost, so the
	 * page is sent a full re-render and an error flash; if even that fails, the tab closes, and its browser
	 * reloads it.
	 */
	private void failed(Message message, Throwable failure) {
		String ref = this.engine.newRef();
		logger.error(this + " failed to handle a " + message.getClass().getSimpleName() + " message [ref " + ref
				+ "]; its page is sent a full re-render", failure);
		try {
			TabRenderer renderer = this.renderer;
			if (renderer != null && !this.closed) {
				reset(renderer);
			}
			this.view.state().flash("error", "Something went wrong (ref " + ref + "). This page was refreshed.");
			flush();
		}
		catch (Throwable again) {
			logger.error(this + " could not be resynchronised [ref " + ref + "]; it closes", again);
			close(CancelReason.VIEW_CLOSED, "it failed");
		}
	}

	/** Grant a web request its turn, which lasts (and holds the mailbox) until the request ends it. */
	private boolean grant(Message.Turn message) {
		HeldTurn turn = new HeldTurn(this.view, message.model(), () -> flushOrRecover(message), this.log, this.mailbox.hold());
		this.view.enter(message.model());
		try {
			message.granted().accept(turn);
			return true;
		}
		catch (RuntimeException | Error ex) {
			turn.end();
			throw ex;
		}
	}

	private void attach(Message.Connect connect) {
		if (this.closed) {
			// closed since the stream was let in: it reads what the tab's stream had not, the close event last, and ends
			connect.onSubscribed().accept(this.log.subscribe(connect.lastEventId(), connect.listener()));
			return;
		}
		EventLog.Subscription subscription = this.log.subscribe(connect.lastEventId(), connect.listener());
		this.stream = subscription;
		this.connections++;
		this.view.connected = true;
		cancelTimer();
		TabRenderer renderer = this.renderer;
		if (subscription.missed() && renderer != null) {
			reset(renderer);
		}
		if (!this.view.started) {
			this.view.started = true;
			this.view.tasks().launchWaiting();
		}
		connect.onSubscribed().accept(subscription);
	}

	private void detach(EventLog.Subscription subscription) {
		if (this.stream != subscription || this.closed) {
			return;
		}
		this.stream = null;
		this.view.connected = false;
		int connection = this.connections;
		this.timer = this.engine.schedule(() -> this.mailbox.send(new Message.GraceOver(connection)),
				this.engine.settings().disconnectGrace());
	}

	private void chunk(Message.Chunk message) {
		try {
			TaskRun run = message.run();
			if (this.closed || !this.view.tasks().isHeard(run)) {
				return;
			}
			if (run.chunkCallback
					&& !callback("@HandleChunk", run.name, () -> this.callbacks.onChunk(run.name, message.chunk(), this.view))) {
				return; // its changes were discarded, and so is the chunk
			}
			if (run.chunkSent) {
				TabRenderer renderer = this.renderer;
				WireEvent.Chunk event = message.event();
				if (renderer != null) {
					try {
						event = renderer.chunk(event, message.chunk());
					}
					catch (RuntimeException ex) { // its fragment failed: the page goes without this chunk
						renderFailed("for a chunk of " + run.name, ex);
						return;
					}
				}
				emit(event);
			}
			this.engine.metrics().chunkDelivered(run.tag);
		}
		finally {
			this.view.tasks().chunkHandled(message);
		}
	}

	private void progress(TaskRun run) {
		Progress progress = this.view.tasks().latestProgress(run);
		if (progress != null) {
			emit(new WireEvent.Progress(run.name, progress.done(), progress.total()));
		}
	}

	private void ended(TaskRun run, Outcome<?> outcome) {
		if (!this.view.tasks().settle(run, outcome)) {
			return; // replaced by a later start: its result is dropped
		}
		emit(WireEvent.TaskOutcome.of(run.name, outcome));
		if (run.keys.isEmpty()) {
			callback("@HandleAsync", run.name, () -> this.callbacks.onOutcome(run.name, outcome, this.view));
		}
	}

	/**
	 * Close the tab: its tasks are cancelled (their callbacks still run, on the closed view, whose changes then
	 * go nowhere), its stream ends, and the registry forgets it.
	 */
	private void close(CancelReason reason, @Nullable String why) {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.view.closed = true;
		this.view.connected = false;
		cancelTimer();
		this.view.tasks().cancelAll(reason);
		this.log.append(new WireEvent.Close(reason.code()));
		this.log.close();
		TabRenderer renderer = this.renderer;
		if (renderer != null) {
			renderer.close();
		}
		this.onClosed.accept(reason);
		if (logger.isDebugEnabled()) {
			logger.debug(this + " closed: " + reason.code() + ((why != null) ? " (" + why + ")" : ""));
		}
	}

	private void cancelTimer() {
		if (this.timer != null) {
			this.timer.cancel();
			this.timer = null;
		}
	}

	/**
	 * Run a callback so that it changes everything or nothing: if it throws, its changes are rolled back, the
	 * page gets an error flash with a correlation id, and the log has the stack trace under that id.
	 * @return whether it returned normally
	 */
	private boolean callback(String annotation, String task, Callback callback) {
		TabState state = this.view.state();
		state.savepoint();
		try {
			callback.run();
			state.release();
			return true;
		}
		catch (Exception | LinkageError | AssertionError | StackOverflowError ex) {
			state.rollback();
			String ref = this.engine.newRef();
			logger.error(annotation + "(\"" + task + "\") on " + this.callbacks.describe() + " threw [ref " + ref
					+ "]; its changes to " + this + " were discarded", ex);
			this.engine.metrics().callbackFailed(annotation);
			if (!this.closed) {
				state.flash("error", "Something went wrong (ref " + ref + ").");
			}
			return false;
		}
	}

	/**
	 * Flush, handling a failure as a message's would be (a full re-render, or the tab closes): for a web request's
	 * turn, on the request's thread, which still ends; and before a message that puts out events, which is still
	 * handled.
	 */
	private void flushOrRecover(Message message) {
		try {
			flush();
		}
		catch (Throwable failure) {
			failed(message, failure);
		}
	}

	/** Whether the changes made so far may wait for the next message's: they start waiting now, or did less than a frame ago. */
	private boolean mayWait() {
		long now = System.nanoTime();
		if (!this.unflushed) {
			this.unflushedSince = now;
			return true;
		}
		return now - this.unflushedSince < MAX_UNFLUSHED_NANOS;
	}

	/** Whether handling the message emits no event of its own, only changes that a flush puts out. */
	private static boolean putsOutNothing(Message message) {
		return message instanceof Message.Chunk chunk && chunk.run().chunkCallback && !chunk.run().chunkSent;
	}

	/** Put the changed flash messages, the re-rendered elements and where the page is to go into the log. */
	private void flush() {
		this.unflushed = false;
		if (this.closed) {
			return;
		}
		TabState state = this.view.state();
		state.takeFlashChanges().forEach((kind, message) -> emit(new WireEvent.Flash(kind, message)));
		TabRenderer renderer = this.renderer;
		Set<String> changed = (renderer != null) ? state.takeChanged() : Set.of();
		if (!changed.isEmpty()) {
			try {
				renderer.render(changed).forEach(this::emit);
			}
			catch (RuntimeException ex) {
				if (ex instanceof TabRenderer.PartlyRendered partly) {
					partly.patches().forEach(this::emit);
				}
				renderFailed("after a change to " + changed, ex);
			}
		}
		String url = state.takeNavigation();
		if (url != null) {
			emit(new WireEvent.Navigate((renderer != null) ? renderer.url(url) : url));
		}
	}

	/** Send the page a full re-render: an element that cannot render is left as the page has it. */
	private void reset(TabRenderer renderer) {
		List<WireEvent.Patch> patches;
		TabRenderer.@Nullable PartlyRendered partly = null;
		try {
			patches = renderer.renderAll();
		}
		catch (TabRenderer.PartlyRendered ex) {
			patches = ex.patches();
			partly = ex;
		}
		emit(new WireEvent.Reset(patches, this.view.tasks().runningNames()));
		this.view.state().takeChanged();
		if (partly != null) {
			renderFailed("for a reset", partly);
		}
	}

	/** Part of the page could not be rendered: it stays as the page has it, and the page is told. */
	private void renderFailed(String when, RuntimeException failure) {
		String ref = this.engine.newRef();
		logger.error("Rendering " + this + " " + when + " failed [ref " + ref + "]", failure);
		emit(new WireEvent.Flash("error", "Part of this page could not be updated (ref " + ref + "). Reload it."));
	}

	private void emit(WireEvent event) {
		if (!this.closed) {
			this.log.append(event);
		}
	}

	@FunctionalInterface
	private interface Callback {

		void run() throws Exception;

	}

}

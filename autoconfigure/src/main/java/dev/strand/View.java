package dev.strand;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * One browser tab's state: its assigns, flash and async tasks. A controller method that handles a GET and
 * takes a {@code View} creates one; a POST from that page (with the {@code Strand-View} header) gets the
 * same one back. Every change runs on the view's mailbox, one at a time, so no lock is needed: change a
 * view only in the handler or callback that was given it, never from a task.
 */
public interface View {

	/**
	 * Return this view's id: random, and valid only in the session that created it.
	 * @return the id
	 */
	String id();

	/**
	 * Set an assign; the page elements that depend on it are re-rendered.
	 * @param key the key
	 * @param value the value, or {@code null}
	 * @return this view
	 */
	View assign(String key, @Nullable Object value);

	/**
	 * Replace an assign with a function of its current value.
	 * @param <T> the type of the value
	 * @param key the key
	 * @param function maps the current value (possibly {@code null}) to the new one
	 * @return this view
	 */
	<T> View update(String key, UnaryOperator<@Nullable T> function);

	/**
	 * Return an assign.
	 * @param <T> the expected type
	 * @param key the key
	 * @return the value, or {@code null} if unset
	 */
	<T> @Nullable T get(String key);

	/**
	 * Return every assign, as a read-only snapshot.
	 * @return the assigns
	 */
	Map<String, @Nullable Object> assigns();

	/**
	 * Show a flash message of the given kind, replacing the one of that kind if there is one (LiveView's
	 * {@code put_flash}). It stays until it is replaced, cleared, or dismissed in the page, or the view closes.
	 * @param kind the kind, such as {@code info} or {@code error}
	 * @param message the text, shown as text, never as HTML
	 * @return this view
	 */
	View flash(String kind, String message);

	/**
	 * Clear every flash message (LiveView's {@code clear_flash/1}).
	 * @return this view
	 */
	View clearFlash();

	/**
	 * Clear the flash message of this kind, if there is one (LiveView's {@code clear_flash/2}).
	 * @param kind the kind
	 * @return this view
	 */
	View clearFlash(String kind);

	/**
	 * Send the page to another URL, as a followed link would (LiveView's {@code push_navigate} and
	 * {@code redirect}: without live navigation, both load the page). A path that starts with {@code /} is
	 * relative to the application, as in a {@code redirect:} view name; any other URL is used as it is. The page
	 * leaves once it has applied what this turn changed, and leaving closes this view. From a page event's
	 * handler, returning {@code "redirect:/path"} does the same.
	 * @param url where to go: a path, or an absolute {@code http} or {@code https} URL
	 * @return this view
	 */
	View navigate(String url);

	/**
	 * Start a task on its own virtual thread (or on the executor its options choose), linked to this tab
	 * (LiveView's {@code start_async}). It runs once the tab's stream is connected; a running task with the same name is cancelled and its result
	 * dropped. Its outcome goes to the controller's {@link HandleAsync @HandleAsync} method with this name.
	 * If the assign with this name holds an {@link AsyncResult}, it also follows the task: loading,
	 * progress, then ok or failed.
	 * @param <T> the type of its value
	 * @param name the task's name
	 * @param task the body
	 * @return this view
	 * @throws IllegalStateException if the controller has no {@code @HandleAsync(name)} method
	 * @throws StrandLimitException if the view already runs as many tasks as it may
	 */
	default <T> View startAsync(String name, AsyncTask<T> task) {
		return startAsync(name, AsyncOptions.defaults(), task);
	}

	/**
	 * Start a task with options, see {@link #startAsync(String, AsyncTask)}.
	 * @param <T> the type of its value
	 * @param name the task's name
	 * @param options the options: the timeout, the executor, and whether to reset the {@link AsyncResult} held
	 * under the task's name
	 * @param task the body
	 * @return this view
	 * @throws IllegalArgumentException if the options name an executor bean that does not exist
	 */
	<T> View startAsync(String name, AsyncOptions options, AsyncTask<T> task);

	/**
	 * Load one assign asynchronously (LiveView's {@code assign_async}): the key holds an
	 * {@link AsyncResult} that is loading until the function returns, then ok with its value; an error,
	 * exit or cancel marks it failed.
	 * @param key the key
	 * @param function returns the value; runs on a virtual thread once the tab is connected
	 * @return this view
	 */
	default View assignAsync(String key, Callable<?> function) {
		return assignAsync(key, AsyncOptions.defaults(), function);
	}

	/**
	 * Load one assign asynchronously with options, see {@link #assignAsync(String, Callable)}.
	 * @param key the key
	 * @param options the options: whether to reset the previous result, the timeout, the executor
	 * @param function returns the value
	 * @return this view
	 * @throws IllegalArgumentException if the options name an executor bean that does not exist
	 */
	View assignAsync(String key, AsyncOptions options, Callable<?> function);

	/**
	 * Load several assigns with one function that returns a map holding every key.
	 * @param keys the keys
	 * @param function returns a map with a value for every key; a missing key fails all of them with a
	 * reason that names it
	 * @return this view
	 */
	default View assignAsync(Set<String> keys, Callable<? extends Map<String, ?>> function) {
		return assignAsync(keys, AsyncOptions.defaults(), function);
	}

	/**
	 * Load several assigns with options, see {@link #assignAsync(Set, Callable)}.
	 * @param keys the keys
	 * @param options the options: which previous results to reset, the timeout, the executor
	 * @param function returns a map with a value for every key
	 * @return this view
	 * @throws IllegalArgumentException if the options name an executor bean that does not exist
	 */
	View assignAsync(Set<String> keys, AsyncOptions options, Callable<? extends Map<String, ?>> function);

	/**
	 * Cancel the task with this name, or the {@code assignAsync} task that loads this key. Its outcome is
	 * {@link Outcome.Cancelled} with {@link CancelReason#REQUESTED}.
	 * @param nameOrKey a task name or an {@code assignAsync} key
	 * @return whether a task was running
	 */
	boolean cancelAsync(String nameOrKey);

	/**
	 * Cancel the task with this name, or the {@code assignAsync} task that loads this key, with the
	 * application's reason (LiveView's {@code cancel_async(socket, key, reason)}). Its outcome is
	 * {@link Outcome.Cancelled} with {@link CancelReason#REQUESTED} and this reason as its
	 * {@link Outcome.Cancelled#detail() detail}; the {@link AsyncResult}s it drives fail with it as their
	 * {@link AsyncResult.Failure#detail() detail}. The browser never sees it unless the application shows it.
	 * @param nameOrKey a task name or an {@code assignAsync} key
	 * @param detail why, in the application's terms
	 * @return whether a task was running
	 */
	boolean cancelAsync(String nameOrKey, Object detail);

	/**
	 * Cancel the {@code assignAsync} task that loads the assign holding this result. {@code view.get(key)}
	 * returns a value of any type, so read it into an {@code AsyncResult} variable first:
	 * {@code AsyncResult<Org> org = view.get("org"); view.cancelAsync(org);}
	 * @param result an {@link AsyncResult} held by this view
	 * @return whether a task was running
	 */
	boolean cancelAsync(AsyncResult<?> result);

	/**
	 * Cancel the {@code assignAsync} task that loads the assign holding this result, with the application's
	 * reason; see {@link #cancelAsync(String, Object)}.
	 * @param result an {@link AsyncResult} held by this view
	 * @param detail why, in the application's terms
	 * @return whether a task was running
	 */
	boolean cancelAsync(AsyncResult<?> result, Object detail);

	/**
	 * Whether a task with this name (or loading this key) is running or waiting to start.
	 * @param nameOrKey a task name or an {@code assignAsync} key
	 * @return whether it is running
	 */
	boolean isRunning(String nameOrKey);

	/**
	 * Whether the tab's stream is connected. Tasks start only once it is.
	 * @return whether it is connected
	 */
	boolean isConnected();

	/**
	 * Return the keys changed since the page was last rendered; the elements that depend on them are
	 * re-rendered at the end of the current mailbox turn.
	 * @return the changed keys
	 */
	Set<String> changed();

}

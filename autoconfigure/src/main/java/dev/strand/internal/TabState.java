package dev.strand.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * A tab's data: its assigns and flash messages, what changed since the last flush, where the page is to go,
 * and a savepoint that a failing callback's changes are rolled back to. Touched only during the tab's turns.
 */
final class TabState implements TaskTable.Assigns {

	/** The assigns, in the order they were first set; allocated by the first. */
	private @Nullable Map<String, @Nullable Object> assigns;

	/** The keys set since the last flush; allocated by the first, and handed over by the flush. */
	private @Nullable Set<String> changed;

	/** Flash messages by kind, and the kinds set or cleared since the last flush; allocated by the first flash. */
	private @Nullable Map<String, String> flash;

	private @Nullable Set<String> changedFlash;

	/** Where the page is to go, once this turn's changes are flushed; {@code null} when it stays. */
	private @Nullable String navigation;

	private @Nullable Savepoint savepoint;

	/** The model of the request that opened the tab, which its assigns are also written to while it runs. */
	private @Nullable Map<String, Object> model;

	void model(@Nullable Map<String, Object> model) {
		this.model = model;
	}

	@Override
	public @Nullable Object read(String key) {
		return (this.assigns != null) ? this.assigns.get(key) : null;
	}

	/** Set an assign for the application: a failing callback's rollback undoes it. */
	void assign(String key, @Nullable Object value) {
		if (this.savepoint != null) {
			this.savepoint.remember(key);
		}
		put(key, value);
	}

	/** Set an assign on behalf of a task: a failing callback's rollback keeps it, as the task stays started. */
	@Override
	public void set(String key, @Nullable Object value) {
		if (this.savepoint != null) {
			this.savepoint.forget(key);
		}
		put(key, value);
	}

	private void put(String key, @Nullable Object value) {
		writableAssigns().put(key, value);
		if (this.changed == null) {
			this.changed = new LinkedHashSet<>();
		}
		this.changed.add(key);
		if (this.model != null) {
			this.model.put(key, value);
		}
	}

	private Map<String, @Nullable Object> writableAssigns() {
		if (this.assigns == null) {
			this.assigns = new LinkedHashMap<>();
		}
		return this.assigns;
	}

	/** The assigns as they are, read-only, not copied: for reading during the tab's turn. */
	Map<String, @Nullable Object> assigns() {
		return (this.assigns != null) ? Collections.unmodifiableMap(this.assigns) : Map.of();
	}

	/** Return the key that holds this very value, or {@code null}. */
	@Nullable String keyOf(Object value) {
		if (this.assigns == null) {
			return null;
		}
		for (Map.Entry<String, @Nullable Object> entry : this.assigns.entrySet()) {
			if (entry.getValue() == value) {
				return entry.getKey();
			}
		}
		return null;
	}

	void flash(String kind, String message) {
		if (this.savepoint != null) {
			this.savepoint.rememberFlash();
		}
		if (this.flash == null || this.changedFlash == null) {
			this.flash = new LinkedHashMap<>();
			this.changedFlash = new LinkedHashSet<>();
		}
		this.flash.put(kind, message);
		this.changedFlash.add(kind);
	}

	/**
	 * Clear one kind of flash message, or all.
	 * @param kind the kind, or {@code null} for every kind
	 */
	void clearFlash(@Nullable String kind) {
		if (this.flash == null || this.changedFlash == null) {
			return; // never flashed: nothing to clear
		}
		if (this.savepoint != null) {
			this.savepoint.rememberFlash();
		}
		if (kind == null) {
			this.changedFlash.addAll(this.flash.keySet());
			this.flash.clear();
		}
		else if (this.flash.remove(kind) != null) {
			this.changedFlash.add(kind);
		}
	}

	Map<String, String> flashes() {
		return (this.flash != null) ? Collections.unmodifiableMap(this.flash) : Map.of();
	}

	void navigate(String url) {
		if (this.savepoint != null) {
			this.savepoint.rememberNavigation();
		}
		this.navigation = url;
	}

	/** Whether a flush would put out more than re-rendered elements: a flash message changed, or a navigation. */
	boolean hasEventsToFlush() {
		return this.navigation != null || (this.changedFlash != null && !this.changedFlash.isEmpty());
	}

	/**
	 * Return where the page is to go, and forget it.
	 * @return the URL, or {@code null} if it stays
	 */
	@Nullable String takeNavigation() {
		String url = this.navigation;
		this.navigation = null;
		return url;
	}

	Set<String> changed() {
		return (this.changed != null) ? Collections.unmodifiableSet(new LinkedHashSet<>(this.changed)) : Set.of();
	}

	/**
	 * Return the keys changed since the last call, and forget them.
	 * @return the changed keys
	 */
	Set<String> takeChanged() {
		Set<String> keys = this.changed;
		this.changed = null;
		return (keys != null) ? Collections.unmodifiableSet(keys) : Set.of();
	}

	/**
	 * Return the flash messages set or cleared since the last call, by kind, and forget that they changed.
	 * @return the changed flash messages: {@code null} for a kind that was cleared
	 */
	Map<String, @Nullable String> takeFlashChanges() {
		if (this.flash == null || this.changedFlash == null || this.changedFlash.isEmpty()) {
			return Map.of();
		}
		Map<String, @Nullable String> changes = new LinkedHashMap<>();
		for (String kind : this.changedFlash) {
			changes.put(kind, this.flash.get(kind));
		}
		this.changedFlash.clear();
		return changes;
	}

	/** Remember the state, so that a failing callback's changes can be rolled back. */
	void savepoint() {
		this.savepoint = new Savepoint();
	}

	/** Keep the changes made since the savepoint. */
	void release() {
		this.savepoint = null;
	}

	/** Undo the assign and flash changes made since the savepoint (not those a task's state made). */
	void rollback() {
		Savepoint savepoint = this.savepoint;
		this.savepoint = null;
		if (savepoint != null) {
			savepoint.restore();
		}
	}

	/** What a callback found: the assigns it changed, as they were, and the flash. */
	private final class Savepoint {

		private final Map<String, Prior> assigns = new HashMap<>();

		private @Nullable Map<String, String> flash;

		private @Nullable Set<String> changedFlash;

		private boolean navigationRemembered;

		private @Nullable String navigation;

		void remember(String key) {
			if (!this.assigns.containsKey(key)) {
				Map<String, @Nullable Object> assigns = TabState.this.assigns;
				this.assigns.put(key, new Prior(assigns != null && assigns.containsKey(key), read(key),
						TabState.this.changed != null && TabState.this.changed.contains(key)));
			}
		}

		void forget(String key) {
			this.assigns.remove(key);
		}

		void rememberFlash() {
			if (this.flash == null) {
				this.flash = (TabState.this.flash != null) ? new LinkedHashMap<>(TabState.this.flash) : new LinkedHashMap<>();
				this.changedFlash = (TabState.this.changedFlash != null) ? new LinkedHashSet<>(TabState.this.changedFlash)
						: new LinkedHashSet<>();
			}
		}

		void rememberNavigation() {
			if (!this.navigationRemembered) {
				this.navigationRemembered = true;
				this.navigation = TabState.this.navigation;
			}
		}

		void restore() {
			this.assigns.forEach((key, prior) -> {
				if (prior.present) {
					writableAssigns().put(key, prior.value);
				}
				else if (TabState.this.assigns != null) {
					TabState.this.assigns.remove(key);
				}
				if (!prior.changed && TabState.this.changed != null) {
					TabState.this.changed.remove(key);
				}
			});
			if (this.flash != null) {
				TabState.this.flash = this.flash;
				TabState.this.changedFlash = this.changedFlash;
			}
			if (this.navigationRemembered) {
				TabState.this.navigation = this.navigation;
			}
		}

	}

	private record Prior(boolean present, @Nullable Object value, boolean changed) {
	}

}

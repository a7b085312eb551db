/**
 * What the baseline servers share: tabs, their tasks and heartbeats, behind a small sink each web
 * stack implements.
 */
@NullMarked
package dev.strand.bench.baseline;

import org.jspecify.annotations.NullMarked;

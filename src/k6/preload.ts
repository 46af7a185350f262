// Imported first by each load worker of a k6 run (Plan.preload): the k6 loader hooks for that thread.
import { installK6Hooks } from './install-hooks.ts';

installK6Hooks();

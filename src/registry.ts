// Every component type telemd knows. Adding a component = adding its folder and one line here.
import type { Factory } from './component/component.js';

export const factories: Factory[] = [
];

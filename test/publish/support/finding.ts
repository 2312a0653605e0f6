export { finding } from './build-series.js';

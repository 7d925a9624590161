// Starts the GOV.UK Frontend components (error summary focus, navigation toggle, ...).
import { initAll } from '/assets/govuk-frontend.min.js';

initAll();

import { browser } from 'k6/browser';
export default async function () { await browser.newPage(); }

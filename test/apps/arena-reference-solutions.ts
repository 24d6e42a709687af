// Reference JavaScript solutions of the built-in bank (problems/): each must pass every
// test of its problem in the sandbox, which checks the bank’s expected outputs.
export const referenceSolutions: Record<string, string> = {
  'two-sum':
    'function twoSum(nums, target) {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    const j = seen.get(target - nums[i]);\n    if (j !== undefined) return [j, i];\n    seen.set(nums[i], i);\n  }\n  return [];\n}',
  'reverse-string': "function reverseString(s) { return s.split('').reverse().join(''); }",
  'palindrome-number':
    "function isPalindrome(x) { if (x < 0) return false; const s = String(x); return s === s.split('').reverse().join(''); }",
  'fizz-buzz':
    "function fizzBuzz(n) { const out = []; for (let i = 1; i <= n; i++) out.push(i % 15 === 0 ? 'FizzBuzz' : i % 3 === 0 ? 'Fizz' : i % 5 === 0 ? 'Buzz' : String(i)); return out; }",
  'valid-parentheses':
    "function isValid(s) { const st = []; const pair = { ')': '(', ']': '[', '}': '{' }; for (const c of s) { if (c in pair) { if (st.pop() !== pair[c]) return false; } else st.push(c); } return st.length === 0; }",
  'single-number': 'function singleNumber(nums) { return nums.reduce((a, b) => a ^ b, 0); }',
  'merge-sorted-arrays':
    'function mergeSorted(a, b) { const out = []; let i = 0, j = 0; while (i < a.length || j < b.length) { if (j >= b.length || (i < a.length && a[i] <= b[j])) out.push(a[i++]); else out.push(b[j++]); } return out; }',
  'longest-substring':
    'function lengthOfLongestSubstring(s) { const last = new Map(); let best = 0, start = 0; for (let i = 0; i < s.length; i++) { const c = s[i]; if (last.has(c) && last.get(c) >= start) start = last.get(c) + 1; last.set(c, i); best = Math.max(best, i - start + 1); } return best; }',
  'maximum-subarray':
    'function maxSubArray(nums) { let best = nums[0], cur = 0; for (const x of nums) { cur = Math.max(x, cur + x); best = Math.max(best, cur); } return best; }',
  'product-except-self':
    'function productExceptSelf(nums) { const n = nums.length, out = new Array(n).fill(1); let p = 1; for (let i = 0; i < n; i++) { out[i] = p; p *= nums[i]; } p = 1; for (let i = n - 1; i >= 0; i--) { out[i] *= p; p *= nums[i]; } return out.map((x) => (x === 0 ? 0 : x)); }',
  'coin-change':
    'function coinChange(coins, amount) { const dp = new Array(amount + 1).fill(Infinity); dp[0] = 0; for (let a = 1; a <= amount; a++) for (const c of coins) if (c <= a && dp[a - c] + 1 < dp[a]) dp[a] = dp[a - c] + 1; return dp[amount] === Infinity ? -1 : dp[amount]; }',
  'merge-intervals':
    'function merge(intervals) { const s = intervals.map((x) => [...x]).sort((a, b) => a[0] - b[0]); const out = []; for (const iv of s) { const last = out[out.length - 1]; if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]); else out.push(iv); } return out; }',
  'number-of-islands':
    "function numIslands(grid) { const g = grid.map((r) => [...r]); let n = 0; for (let i = 0; i < g.length; i++) for (let j = 0; j < g[i].length; j++) { if (g[i][j] !== '1') continue; n++; const st = [[i, j]]; g[i][j] = '0'; while (st.length) { const [a, b] = st.pop(); for (const [x, y] of [[a + 1, b], [a - 1, b], [a, b + 1], [a, b - 1]]) if (x >= 0 && y >= 0 && x < g.length && y < g[x].length && g[x][y] === '1') { g[x][y] = '0'; st.push([x, y]); } } } return n; }",
  'trapping-rain-water':
    'function trap(h) { let l = 0, r = h.length - 1, lm = 0, rm = 0, w = 0; while (l < r) { if (h[l] < h[r]) { lm = Math.max(lm, h[l]); w += lm - h[l]; l++; } else { rm = Math.max(rm, h[r]); w += rm - h[r]; r--; } } return w; }',
  'edit-distance':
    'function minDistance(a, b) { let prev = Array.from({ length: b.length + 1 }, (_, j) => j); for (let i = 1; i <= a.length; i++) { const cur = [i]; for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] : 1 + Math.min(prev[j - 1], prev[j], cur[j - 1]); prev = cur; } return prev[b.length]; }',
  'median-of-two-sorted-arrays':
    'function findMedianSortedArrays(a, b) { const m = [...a, ...b].sort((x, y) => x - y); const n = m.length; return n % 2 ? m[(n - 1) / 2] : (m[n / 2 - 1] + m[n / 2]) / 2; }',
  'n-queens-ii':
    'function totalNQueens(n) { let count = 0; const go = (row, cols, d1, d2) => { if (row === n) { count++; return; } for (let c = 0; c < n; c++) { const a = 1 << c, b = 1 << (row + c), e = 1 << (row - c + n); if (cols & a || d1 & b || d2 & e) continue; go(row + 1, cols | a, d1 | b, d2 | e); } }; go(0, 0, 0, 0); return count; }',
  'largest-rectangle-in-histogram':
    'function largestRectangleArea(h) { const st = []; let best = 0; for (let i = 0; i <= h.length; i++) { const cur = i === h.length ? 0 : h[i]; while (st.length && h[st[st.length - 1]] >= cur) { const top = st.pop(); const left = st.length ? st[st.length - 1] + 1 : 0; best = Math.max(best, h[top] * (i - left)); } st.push(i); } return best; }',
};

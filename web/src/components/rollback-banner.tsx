// Owns the red banner the dashboard and the trust lists page show while rollback mode is on (tlv-files.md §9.6).

import { Link } from '../router.tsx';

export function RollbackBanner() {
  return (
    <div className="msg msg-error banner-rollback" role="alert" data-testid="rollback-banner">
      <strong>ROLLBACK MODE ON:</strong> phones will accept any next ITL and unsigned configs; turn it off when they
      have moved (<Link to="/trust">Trust lists</Link>, or <code>opencapf itl rollback off</code>).
    </div>
  );
}

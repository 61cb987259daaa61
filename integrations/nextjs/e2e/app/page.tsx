export default function Home() {
  return <main>IsrProxy end-to-end site</main>;
}
